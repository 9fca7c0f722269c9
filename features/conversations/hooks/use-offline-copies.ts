'use client';

import { useEffect, useRef } from 'react';
import { saveOfflineCopies } from '../offline-copies';

/**
 * The worker keeps the pages and histories it serves (app/sw.ts), but it controls a first visit
 * only once that page has loaded, and a history grows by live events it never sees. So when the
 * worker takes control, this page and the conversation's history are saved, and when a run of the
 * conversation ends, its history again: going offline then and reloading shows all of it.
 */
export function useOfflineCopies({ conversationId, runningId }: { conversationId: string | null; runningId: string | null }) {
  const shown = useRef(conversationId);
  useEffect(() => {
    shown.current = conversationId;
  }, [conversationId]);

  useEffect(() => {
    if (!('serviceWorker' in navigator)) return;
    const onControl = () => void saveOfflineCopies({ page: true, conversationId: shown.current }).catch(() => {});
    navigator.serviceWorker.addEventListener('controllerchange', onControl);
    return () => navigator.serviceWorker.removeEventListener('controllerchange', onControl);
  }, []);

  const last = useRef({ conversationId, runningId });
  useEffect(() => {
    const before = last.current;
    last.current = { conversationId, runningId };
    const ended = before.conversationId === conversationId && before.runningId !== null && runningId === null;
    if (ended) void saveOfflineCopies({ page: false, conversationId }).catch(() => {});
  }, [conversationId, runningId]);
}
