'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useConversationsStore } from '@/features/conversations';
import { foldRunEvent, type AgentMode, type ChatItem, type RunInfo } from '@/features/runs';
import { fetchConversation, followRun, sendMessage, stopRun } from '../api/chat-api';

export const conversationQueryKey = (conversationId: string | null) => ['conversation', conversationId] as const;

/**
 * A conversation as the tab shows it: its history (one query per conversation, so concurrent
 * loads collapse into one) followed by the live events of runs started or re-joined here.
 */
export function useChat({ workspace, conversationId }: { workspace: string; conversationId: string | null }) {
  const history = useQuery({
    queryKey: conversationQueryKey(conversationId),
    queryFn: () => fetchConversation(conversationId!),
    enabled: conversationId !== null,
    // Live events extend the history while a conversation is open; once the tab leaves it,
    // the cached copy is outdated, so coming back always loads it afresh.
    staleTime: Infinity,
    gcTime: 0,
    refetchOnWindowFocus: false,
  });
  const [live, setLive] = useState<{ conversationId: string | null; items: ChatItem[]; run: RunInfo | null }>({
    conversationId,
    items: [],
    run: null,
  });
  const following = useRef<AbortController | null>(null);
  const followed = useRef(new Set<string>());
  const touch = useConversationsStore((state) => state.touch);
  const queryClient = useQueryClient();

  // Another conversation starts with no live items (state reset during render, React's pattern).
  if (live.conversationId !== conversationId) setLive({ conversationId, items: [], run: null });
  // Switching conversation detaches from the old run's stream (the run itself goes on).
  useEffect(() => () => following.current?.abort(), [conversationId]);

  const liveHere = live.conversationId === conversationId ? live : { items: [], run: null };
  const items = useMemo(() => [...(history.data?.items ?? []), ...liveHere.items], [history.data, liveHere.items]);
  const itemsRef = useRef(items);
  useEffect(() => {
    itemsRef.current = items;
  }, [items]);

  const follow = useCallback(
    (run: RunInfo) => {
      followed.current.add(run.id);
      following.current?.abort();
      const controller = new AbortController();
      following.current = controller;
      setLive((state) => (state.conversationId === run.conversationId ? { ...state, run } : state));
      void followRun({
        runId: run.id,
        after: 0,
        signal: controller.signal,
        onEvent: (event) =>
          setLive((state) => (state.conversationId === run.conversationId ? { ...state, items: foldRunEvent(state.items, event) } : state)),
      }).then((outcome) => {
        if (outcome === 'aborted') return;
        // 'gone': the server no longer keeps this run's events; its transcript has the whole of it.
        setLive((state) => (state.conversationId === run.conversationId ? { ...state, run: null, items: outcome === 'gone' ? [] : state.items } : state));
        if (outcome === 'gone') void queryClient.invalidateQueries({ queryKey: conversationQueryKey(run.conversationId) });
        touch({ conversationId: run.conversationId, workspace, messageCount: countMessages(itemsRef.current) });
      });
    },
    [queryClient, touch, workspace],
  );

  // Re-join a run that is still going (after a reload, a restart, or coming back to the conversation).
  const serverRun = history.data?.activeRun ?? null;
  useEffect(() => {
    if (serverRun && live.conversationId === serverRun.conversationId && !followed.current.has(serverRun.id)) follow(serverRun);
  }, [serverRun, follow, live.conversationId]);

  // A conversation opened from elsewhere (a link, another browser tab) joins the recent list.
  const title = history.data?.conversation.title;
  useEffect(() => {
    if (conversationId && title) touch({ conversationId, workspace, preview: title, messageCount: countMessages(itemsRef.current) });
  }, [conversationId, title, touch, workspace]);

  const send = useMutation({
    mutationFn: (input: { text: string; model: string; mode: AgentMode }) => sendMessage(conversationId!, input),
    onSuccess: (run, input) => {
      const isFirst = countMessages(itemsRef.current) === 0;
      touch({ conversationId: run.conversationId, workspace, messageCount: countMessages(itemsRef.current) + 1, ...(isFirst ? { preview: input.text.slice(0, 120) } : {}) });
      follow(run);
    },
  });

  const stop = useMutation({ mutationFn: (run: RunInfo) => stopRun(run.id) });

  return {
    items,
    loading: conversationId === null || history.isPending,
    loadError: history.error,
    activeRun: liveHere.run,
    send,
    stop: () => liveHere.run && stop.mutate(liveHere.run),
    stopping: stop.isPending,
  };
}

function countMessages(items: ChatItem[]): number {
  return items.filter((item) => item.kind === 'user' || item.kind === 'assistant').length;
}
