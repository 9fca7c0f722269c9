'use client';

import { forgetOfflineCopies, useConversationsStore, type RecentConversation } from '@/features/conversations';
import { clearConversations, deleteConversation, renameConversation } from '../api/chat-api';

/** Deletes for good after the visitor confirms; the other tabs drop them from Recent through the shared store. */
export function useDeleteForGood({
  conversationId,
  recent,
  startNew,
  onError,
}: {
  conversationId: string | null;
  recent: RecentConversation[];
  startNew: () => Promise<unknown>;
  onError: (message: string) => void;
}) {
  const forget = useConversationsStore((state) => state.forget);
  return async function deleteForGood(which: 'this' | 'all') {
    const question =
      which === 'this'
        ? 'Delete this conversation for good? Its messages are removed from the server and cannot be brought back.'
        : `Delete all ${recent.length} conversations in this workspace for good? They cannot be brought back.`;
    if (!window.confirm(question)) return;
    try {
      let gone: string[];
      if (which === 'this') {
        if (!conversationId) return;
        await deleteConversation(conversationId);
        gone = [conversationId];
      } else {
        // Recent may list conversations the server never saw (no message yet): they go too.
        gone = [...(await clearConversations()), ...recent.map((entry) => entry.conversationId)];
      }
      for (const id of gone) forget(id);
      await forgetOfflineCopies(which === 'all' ? null : gone);
      await startNew();
    } catch (error) {
      onError(`Could not delete: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
}

/** Asks for a new title and keeps what the server kept; `onError` hears why it could not. */
export function useRename({ workspace, conversationId, recent, onError }: { workspace: string; conversationId: string | null; recent: RecentConversation[]; onError: (message: string) => void }) {
  const touch = useConversationsStore((state) => state.touch);
  return async function rename() {
    if (!conversationId) return;
    const current = recent.find((entry) => entry.conversationId === conversationId)?.preview ?? '';
    const title = window.prompt('A new name for this conversation', current)?.trim();
    if (!title || title === current) return;
    try {
      touch({ conversationId, workspace, preview: await renameConversation(conversationId, title) });
    } catch (caught) {
      onError(`Could not rename: ${caught instanceof Error ? caught.message : String(caught)}`);
    }
  };
}
