'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { useConversationsStore, type ConversationStatus } from '@/features/conversations';
import { fetchConversationStatuses } from '../api/chat-api';
import { usePageVisible } from './use-page-visible';

/** Every statuses query, whatever its ids: invalidate this when a run starts or ends here. */
export const allConversationStatusesKey = ['conversation-statuses'] as const;

// One key per set of ids (sorted: the list reorders on every message, the set rarely changes).
const conversationStatusesKey = (ids: string[]) => [...allConversationStatusesKey, [...ids].sort()] as const;

// Runs started or finished in other tabs and browsers show up within this; TanStack pauses the
// interval while the page is hidden and refetches as soon as it is focused again.
const POLL_MS = 3_000;

/**
 * The latest run's status of each listed conversation, by id, for the recent list's badges.
 * Seeing a finish of the conversation this tab shows also marks it viewed by the server's clock,
 * so a browser clock running behind cannot make a run the user watched end look "New".
 */
export function useConversationStatuses({ ids, currentId }: { ids: string[]; currentId: string | null }) {
  const statuses = useQuery({
    queryKey: conversationStatusesKey(ids),
    queryFn: () => fetchConversationStatuses(ids),
    enabled: ids.length > 0,
    refetchInterval: POLL_MS,
    refetchOnWindowFocus: true,
    // While a new set of ids loads, keep showing the badges already known.
    placeholderData: keepPreviousData,
  });
  const byId = useMemo(() => new Map<string, ConversationStatus>((statuses.data ?? []).map((status) => [status.id, status])), [statuses.data]);

  const visible = usePageVisible();
  const markViewed = useConversationsStore((state) => state.markViewed);
  const currentFinishedAt = currentId ? byId.get(currentId)?.lastRunFinishedAt : null;
  useEffect(() => {
    if (currentId && currentFinishedAt && visible) markViewed(currentId, Date.parse(currentFinishedAt));
  }, [currentId, currentFinishedAt, visible, markViewed]);

  return byId;
}
