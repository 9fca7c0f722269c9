'use client';

import { useCallback } from 'react';
import { useConversationsStore } from '@/features/conversations';
import { branchConversation } from '../api/chat-api';

/**
 * "Branch from here": the server makes the new conversation, Recent lists it (every tab of the
 * browser shares that list), and it opens in a new tab of the app. The tab is opened at the click,
 * before the server answers: a window opened after an await is one a browser may block.
 */
export function useBranch({ workspace, conversationId, onError }: { workspace: string; conversationId: string | null; onError: (message: string) => void }) {
  const touch = useConversationsStore((state) => state.touch);
  return useCallback(
    (keepPrompts: number) => {
      if (!conversationId) return;
      const tab = window.open('about:blank', '_blank');
      if (tab) tab.opener = null;
      void branchConversation(conversationId, keepPrompts).then(
        (made) => {
          // A user message and an answer for each message kept.
          touch({ conversationId: made.conversationId, workspace, preview: made.title, messageCount: keepPrompts * 2 });
          const address = `/?c=${made.conversationId}`;
          if (tab) tab.location.href = address;
          else window.location.href = address;
        },
        (error: unknown) => {
          tab?.close();
          onError(`Could not branch: ${error instanceof Error ? error.message : String(error)}`);
        },
      );
    },
    [conversationId, workspace, touch, onError],
  );
}
