'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useConversationsStore, type ConversationStatus } from '@/features/conversations';
import type { DecideApprovalInput } from '@/features/approvals';
import type { AgentMode, RunInfo } from '@/features/runs';
import type { ChatItem } from '@/features/timeline';
import { decideApproval } from '@/features/approvals';
import { fetchConversation, sendMessage, stopRun, type ConversationView } from '../api/chat-api';
import { allConversationStatusesKey } from './use-conversation-statuses';
import { useLiveRun } from './use-live-run';
import { usePageVisible } from './use-page-visible';

export const conversationQueryKey = (conversationId: string | null) => ['conversation', conversationId] as const;

/**
 * A conversation as the tab shows it: its history (one query per conversation, so concurrent
 * loads collapse into one) followed by the live events of runs started or re-joined here.
 */
export function useChat({
  workspace,
  conversationId,
  isNew = false,
  lastRun,
}: {
  workspace: string;
  conversationId: string | null;
  /** Made in this tab and not sent yet: its history is known to be none, without asking (which would answer 404). */
  isNew?: boolean;
  /** The conversation's latest run as the Recent list's poll sees it: how runs that another tab or device started show up here. */
  lastRun: ConversationStatus | undefined;
}) {
  const history = useQuery({
    queryKey: conversationQueryKey(conversationId),
    queryFn: () => fetchConversation(conversationId!),
    enabled: conversationId !== null,
    initialData: isNew ? null : undefined,
    // Live events extend the history while a conversation is open; once the tab leaves it,
    // the cached copy is outdated, so coming back always loads it afresh.
    staleTime: Infinity,
    gcTime: 0,
    refetchOnWindowFocus: false,
    // Offline, the service worker answers with the saved copy; back online, the real thing
    // (and a run still going is re-joined from it).
    refetchOnReconnect: 'always',
  });
  const live = useLiveRun<RunInfo>({ scope: conversationId });
  const followed = useRef(new Set<string>());
  const touch = useConversationsStore((state) => state.touch);
  const markViewed = useConversationsStore((state) => state.markViewed);
  const queryClient = useQueryClient();

  // Switching conversation detaches from the old run's stream (useLiveRun); its live items are
  // gone with it, so coming back re-joins the run from its first event.
  useEffect(() => () => followed.current.clear(), [conversationId]);

  // What this tab shows while someone can see it is viewed: its "New" badge clears, in every tab.
  const visible = usePageVisible();
  const shown = useRef({ conversationId, visible });
  useEffect(() => {
    shown.current = { conversationId, visible };
    if (conversationId && visible) markViewed(conversationId);
  }, [conversationId, visible, markViewed]);

  const items = useMemo(() => [...(history.data?.items ?? []), ...live.items], [history.data, live.items]);
  const itemsRef = useRef(items);
  useEffect(() => {
    itemsRef.current = items;
  }, [items]);

  const { follow: followLive, clear: clearLive, keep: keepLive } = live;
  const follow = useCallback(
    (run: RunInfo) => {
      followed.current.add(run.id);
      followLive(run, {
        onDone: (outcome) => {
          // 'gone': the server no longer keeps this run's events; its transcript has the whole of it.
          if (outcome === 'gone') {
            clearLive();
            void queryClient.invalidateQueries({ queryKey: conversationQueryKey(run.conversationId) });
          }
          touch({ conversationId: run.conversationId, workspace, messageCount: countMessages(itemsRef.current) });
          // Watched to the end: not "New" for the other tabs either.
          if (shown.current.conversationId === run.conversationId && shown.current.visible) markViewed(run.conversationId);
          void queryClient.invalidateQueries({ queryKey: allConversationStatusesKey });
        },
      });
    },
    [followLive, clearLive, markViewed, queryClient, touch, workspace],
  );
  const lastMessage = useMemo(() => {
    const last = items.findLast((item) => item.kind === 'user');
    return last ? { text: last.text, attachments: last.attachments ?? [] } : null;
  }, [items]);

  // Re-join a run that is still going (after a reload, a restart, or coming back to the conversation).
  const serverRun = history.data?.activeRun ?? null;
  useEffect(() => {
    if (serverRun && conversationId === serverRun.conversationId && !followed.current.has(serverRun.id)) follow(serverRun);
  }, [serverRun, follow, conversationId]);

  // A run that another device of the conversation (or another tab) started or finished: the
  // history is loaded again (up to where a running one began, which is then followed from its
  // first event). This tab's own finished runs come back with it, so its live items are dropped
  // (as after a reload).
  const lastRunId = lastRun?.lastRunId ?? null;
  const lastRunKey = lastRun ? `${lastRunId}:${lastRun.lastRunStatus}` : null;
  const known = useRef<{ conversationId: string | null; key: string | null }>({ conversationId: null, key: null });
  const idle = live.run === null && history.data !== undefined;
  useEffect(() => {
    if (!idle || !conversationId) return;
    const first = known.current.conversationId !== conversationId;
    const changed = !first && known.current.key !== lastRunKey;
    known.current = { conversationId, key: lastRunKey };
    if (!changed || lastRunId === null || followed.current.has(lastRunId)) return;
    let current = true;
    void fetchConversation(conversationId).then(
      (view) => {
        if (!current) return;
        // Together, in one render: the new history, without the live copy of what it now holds.
        clearLive();
        queryClient.setQueryData(conversationQueryKey(conversationId), view);
      },
      () => {}, // the next status change tries again
    );
    return () => {
      current = false;
    };
  }, [idle, lastRunKey, lastRunId, conversationId, queryClient, clearLive]);

  // A conversation opened from elsewhere (a link, another browser tab) joins the recent list.
  const title = history.data?.conversation.title;
  const activeOnServer = serverRun !== null;
  useEffect(() => {
    // While a run is going, history stops where it began: its count would be too low.
    if (conversationId && title) touch({ conversationId, workspace, preview: title, ...(activeOnServer ? {} : { messageCount: countMessages(itemsRef.current) }) });
  }, [conversationId, title, activeOnServer, touch, workspace]);

  const send = useMutation({
    mutationFn: (input: { text: string; model: string; mode: AgentMode; replaceLast?: boolean; attachments?: string[] }) => sendMessage(conversationId!, input),
    onSuccess: (run, input) => {
      if (input.replaceLast) {
        // Retry, Edit: the replaced message and its answer leave the view, as they left the history.
        const from = Math.max(
          0,
          itemsRef.current.findLastIndex((item) => item.kind === 'user'),
        );
        const historyItems = history.data?.items ?? [];
        if (from >= historyItems.length) keepLive(from - historyItems.length);
        else {
          queryClient.setQueryData(conversationQueryKey(run.conversationId), (view: ConversationView | null | undefined) => view && { ...view, items: historyItems.slice(0, from) });
          clearLive();
        }
      }
      const isFirst = countMessages(itemsRef.current) === 0;
      touch({ conversationId: run.conversationId, workspace, messageCount: countMessages(itemsRef.current) + 1, ...(isFirst ? { preview: input.text.slice(0, 120) } : {}) });
      follow(run);
      void queryClient.invalidateQueries({ queryKey: allConversationStatusesKey });
    },
  });

  const stop = useMutation({ mutationFn: (run: RunInfo) => stopRun(run.id) });

  const runId = live.run?.id ?? null;
  const decide = useMemo(() => (runId ? (approvalId: string, input: DecideApprovalInput) => decideApproval(runId, approvalId, input) : null), [runId]);

  // The history may predate the conversation (loaded before its first message): a change made
  // here is kept beside it rather than in it.
  const [muteChange, setMuteChange] = useState<{ conversationId: string | null; muted: boolean } | null>(null);
  const setMuted = useCallback((muted: boolean) => setMuteChange({ conversationId, muted }), [conversationId]);
  const muted = muteChange?.conversationId === conversationId ? muteChange.muted : (history.data?.conversation.muted ?? false);

  return {
    items,
    /** The visitor's last message, its words and files: what Retry sends again and Edit starts from (null: none yet). */
    lastMessage,
    loading: conversationId === null || history.isPending,
    loadError: history.error,
    activeRun: live.run,
    /** How the followed run's event stream is connected; null when no run is followed. */
    connection: live.run ? live.connection : null,
    send,
    stop: () => live.run && stop.mutate(live.run),
    stopping: stop.isPending,
    /** Answers an approval card of the followed run (ask mode); null when no run is followed. */
    decide,
    /** The followed run waits for the visitor to allow or deny a tool call. */
    waitingForApproval: live.run !== null && items.some((item) => item.kind === 'approval' && item.outcome === null),
    /** Whether the server knows this conversation yet (it does once a message was sent). */
    existsOnServer: Boolean(history.data) || items.some((item) => item.kind === 'user'),
    /** The server answered that it has no such conversation (never sent, or expired and purged). */
    unknownToServer: history.data === null && items.length === 0,
    muted,
    /** The mute switch's change, shown at once (the server confirms or undoes it). */
    setMuted,
  };
}

function countMessages(items: ChatItem[]): number {
  return items.filter((item) => item.kind === 'user' || item.kind === 'assistant').length;
}
