import { logger } from '../logger';

/**
 * What this process holds for the database while it can't answer (a failover, a restart, a cut
 * connection): counts by kind — `transcriptLines`, `writes` — for /api/health and the logs. A
 * count rises only once a write has failed, so a healthy database never shows a backlog.
 */

const REPORT_EVERY_MS = 5000;

type State = { counts: Map<string, number>; since: number | null; reporter: NodeJS.Timeout | null; idle: Set<() => void> };
// Route handlers and instrumentation get separate module copies: the counts live on globalThis.
const store = globalThis as { tetherBacklog?: State };
const state = (store.tetherBacklog ??= { counts: new Map(), since: null, reporter: null, idle: new Set() });

export type Backlog = { transcriptLines: number; writes: number };

export function backlog(): Backlog {
  return { transcriptLines: state.counts.get('transcriptLines') ?? 0, writes: state.counts.get('writes') ?? 0 };
}

export function backlogTotal(): number {
  let total = 0;
  for (const count of state.counts.values()) total += count;
  return total;
}

/** `delta` more (or, negative, fewer) of `kind` wait for the database. */
export function changeBacklog(kind: keyof Backlog, delta: number): void {
  if (delta === 0) return;
  const before = backlogTotal();
  state.counts.set(kind, Math.max(0, (state.counts.get(kind) ?? 0) + delta));
  const after = backlogTotal();
  if (before === 0 && after > 0) {
    state.since = Date.now();
    logger.warn('database backlog: writes wait for the database', { ...backlog() });
    // A line every few seconds while it lasts, so an operator sees it grow or shrink.
    state.reporter = setInterval(() => logger.warn('database backlog', { ...backlog(), forMs: Date.now() - (state.since ?? Date.now()) }), REPORT_EVERY_MS);
    state.reporter.unref();
  } else if (before > 0 && after === 0) {
    logger.info('database backlog cleared', { forMs: Date.now() - (state.since ?? Date.now()) });
    if (state.reporter) clearInterval(state.reporter);
    state.reporter = null;
    state.since = null;
    for (const resolve of state.idle) resolve();
    state.idle.clear();
  }
}

/** Resolves true once nothing waits for the database, or false after `timeoutMs`. */
export function backlogCleared(timeoutMs: number): Promise<boolean> {
  if (backlogTotal() === 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      state.idle.delete(done);
      resolve(false);
    }, timeoutMs);
    state.idle.add(done);
  });
}
