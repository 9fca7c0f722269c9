'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { foldRunEvent, followRun, type ChatItem, type ConnectionState, type FollowOutcome } from '@/features/timeline';

type Followed = { id: string };
type LiveState<Run extends Followed> = { scope: string | null; items: ChatItem[]; run: Run | null; connection: ConnectionState | null };

/**
 * The live part of a conversation's view: the chat items folded from the events of the run
 * followed here, shown after the history they extend. Live items belong to a `scope` (the
 * conversation, or the run a shared page shows): another scope starts empty and detaches from
 * the run followed before (the run itself goes on). Within a scope, items of earlier runs stay
 * until `clear()` (a reloaded history that now holds them).
 */
export function useLiveRun<Run extends Followed>({ scope }: { scope: string | null }) {
  const [live, setLive] = useState<LiveState<Run>>({ scope, items: [], run: null, connection: null });
  const following = useRef<AbortController | null>(null);

  // Another scope starts with no live items (state reset during render, React's pattern).
  if (live.scope !== scope) setLive({ scope, items: [], run: null, connection: null });
  useEffect(() => () => following.current?.abort(), [scope]);

  /** Follows `run` from its first event, in place of the run followed before; `onDone` hears how it stopped (not when replaced). */
  const follow = useCallback(
    (run: Run, { shared, headers, onDone }: { shared?: boolean; headers?: Record<string, string>; onDone?: (outcome: Exclude<FollowOutcome, 'aborted'>) => void } = {}) => {
      following.current?.abort();
      const controller = new AbortController();
      following.current = controller;
      const update = (change: (state: LiveState<Run>) => Partial<LiveState<Run>>) => setLive((state) => (state.scope === scope ? { ...state, ...change(state) } : state));
      update(() => ({ run, connection: null }));
      void followRun({
        url: shared ? ({ after }) => `/api/shared/runs/${run.id}/events?after=${after}` : ({ after, visible }) => `/api/runs/${run.id}/events?after=${after}&visible=${visible ? 1 : 0}`,
        headers,
        after: 0,
        signal: controller.signal,
        onEvent: (event) => update((state) => ({ items: foldRunEvent(state.items, event) })),
        onConnection: (connection) => update(() => ({ connection })),
      }).then((outcome) => {
        if (outcome === 'aborted') return;
        update(() => ({ run: null, connection: null }));
        onDone?.(outcome);
      });
    },
    [scope],
  );

  /** Keeps the first `count` live items (none: the history now holds them all). */
  const keep = useCallback((count: number) => setLive((state) => (state.scope === scope ? { ...state, items: state.items.slice(0, count) } : state)), [scope]);
  const clear = useCallback(() => keep(0), [keep]);

  const here = live.scope === scope ? live : { items: [], run: null, connection: null };
  return { items: here.items, run: here.run, connection: here.connection, follow, clear, keep };
}
