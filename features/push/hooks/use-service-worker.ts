'use client';

import { useEffect, useRef } from 'react';
import { isOpenConversationMessage } from '../shared/messages';
import { clearPendingOpen, takePendingOpen } from '../shared/push-state';

/**
 * Registers the app's service worker (offline page, push) and opens the conversation a tapped
 * notification asks for: told by the worker when this window was open, or found where the worker
 * left it when the app was started by the tap (iOS may ignore the notification's URL).
 * `ready`: the tab has settled on its own conversation, so opening another now sticks.
 */
export function useServiceWorker({ ready, currentId, open }: { ready: boolean; currentId: string | null; open: (conversationId: string) => unknown }) {
  const latest = useRef({ ready, currentId, open });
  const waiting = useRef<string | null>(null);
  useEffect(() => {
    latest.current = { ready, currentId, open };
  }, [ready, currentId, open]);

  const show = useRef((conversationId: string) => {
    const { ready: settled, currentId: current, open: openConversation } = latest.current;
    if (!settled) waiting.current = conversationId;
    else if (conversationId !== current) void openConversation(conversationId);
  });

  useEffect(() => {
    if (!('serviceWorker' in navigator)) return;
    navigator.serviceWorker.register('/sw.js', { scope: '/', updateViaCache: 'none' }).catch(() => {
      // No worker (private mode, an old browser): the app works, without offline page or push.
    });
    const onMessage = (event: MessageEvent) => {
      if (!isOpenConversationMessage(event.data)) return;
      void clearPendingOpen().catch(() => {});
      show.current(event.data.conversationId);
    };
    navigator.serviceWorker.addEventListener('message', onMessage);
    return () => navigator.serviceWorker.removeEventListener('message', onMessage);
  }, []);

  useEffect(() => {
    if (!ready) return;
    if (waiting.current) {
      show.current(waiting.current);
      waiting.current = null;
    }
    if (typeof caches === 'undefined') return;
    void takePendingOpen()
      .then((id) => id && show.current(id))
      .catch(() => {});
  }, [ready]);
}
