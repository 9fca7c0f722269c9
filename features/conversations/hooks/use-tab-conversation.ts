'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { syncConversationsAcrossTabs, useConversationsStore } from '../stores/conversations-store';

/**
 * One browser tab = one conversation. The tab remembers its conversation in sessionStorage (a
 * reload keeps it); a new tab or a restarted browser takes the workspace's current conversation
 * unless another tab holds it (a Web Lock per conversation), and otherwise starts a fresh one.
 */
export function useTabConversation(workspace: string) {
  const [conversationId, setConversationId] = useState<string | null>(null);
  const [sharedWithOtherTab, setShared] = useState(false);
  const release = useRef<() => void>(() => {});
  const tabKey = `tether-tab-conversation:${workspace}`;

  // The id this tab just made for a new conversation: the server can't have it yet, so nobody asks.
  const [madeHere, setMadeHere] = useState<string | null>(null);

  const adopt = useCallback(
    async (id: string, { requireFree, made = false }: { requireFree: boolean; made?: boolean }) => {
      release.current();
      const releaseLock = await holdLock(`tether-conversation:${id}`);
      if (!releaseLock && requireFree) return false;
      release.current = releaseLock ?? (() => {});
      setShared(!releaseLock);
      sessionStorage.setItem(tabKey, id);
      useConversationsStore.getState().setCurrent(workspace, id);
      setMadeHere(made ? id : null);
      setConversationId(id);
      return true;
    },
    [tabKey, workspace],
  );

  useEffect(() => {
    let cancelled = false;
    let stopSync = () => {};
    (async () => {
      await useConversationsStore.persist.rehydrate();
      if (cancelled) return;
      stopSync = syncConversationsAcrossTabs();
      const fromUrl = new URLSearchParams(location.search).get('c');
      if (fromUrl) history.replaceState(null, '', location.pathname);
      const fromTab = sessionStorage.getItem(tabKey);
      const current = useConversationsStore.getState().currentByWorkspace[workspace];
      if (fromUrl && isUuid(fromUrl)) await adopt(fromUrl, { requireFree: false });
      else if (fromTab && isUuid(fromTab)) await adopt(fromTab, { requireFree: false });
      else if (!(current && (await adopt(current, { requireFree: true })))) await adopt(crypto.randomUUID(), { requireFree: false, made: true });
    })();
    return () => {
      cancelled = true;
      stopSync();
      release.current();
    };
  }, [adopt, tabKey, workspace]);

  const startNew = useCallback(() => adopt(crypto.randomUUID(), { requireFree: false, made: true }), [adopt]);
  const open = useCallback((id: string) => adopt(id, { requireFree: false }), [adopt]);

  /** `isNew`: the conversation is one this tab made, not sent yet, which the server doesn't know (no need to ask). */
  return { conversationId, isNew: conversationId !== null && conversationId === madeHere, sharedWithOtherTab, startNew, open };
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

/** Holds an exclusive Web Lock until the returned function is called; null if another tab has it. */
async function holdLock(name: string): Promise<(() => void) | null> {
  if (!('locks' in navigator)) return () => {};
  return new Promise((resolve) => {
    void navigator.locks.request(name, { ifAvailable: true }, (lock) => {
      if (!lock) {
        resolve(null);
        return undefined;
      }
      return new Promise<void>((unlock) => resolve(unlock as () => void));
    });
  });
}
