import 'server-only';
import { db } from '@/lib/db/connection';
import { logger } from '@/lib/logger';

/**
 * How often open event streams in private workspaces check that their visitor is still a member.
 * A revoke (from the command line, on any instance) is a row gone from the database, which every
 * instance reads: polling it needs no channel between processes, and one query per workspace per
 * tick serves every stream of this instance.
 */
export const MEMBERSHIP_CHECK_MS = 2000;

type Watch = { workspace: string; visitorId: string; onRevoked: () => void };

// Route handlers and the streams served before Next get separate module copies: one set per process.
const store = globalThis as { tetherMemberWatches?: { watches: Set<Watch>; timer: NodeJS.Timeout | null; checking: boolean } };
const state = (store.tetherMemberWatches ??= { watches: new Set(), timer: null, checking: false });

/**
 * Calls `onRevoked` (once) when the visitor stops being a member of the workspace, within
 * MEMBERSHIP_CHECK_MS or so. Returns the function that stops watching (call it when the stream closes).
 */
export function watchMembership(watch: Watch): () => void {
  const entry = { ...watch };
  state.watches.add(entry);
  state.timer ??= setInterval(() => void checkAll(), MEMBERSHIP_CHECK_MS).unref();
  return () => {
    state.watches.delete(entry);
    if (state.watches.size === 0 && state.timer) {
      clearInterval(state.timer);
      state.timer = null;
    }
  };
}

async function checkAll(): Promise<void> {
  // A slow database must not pile checks up: the next tick comes after this one answered.
  if (state.checking) return;
  state.checking = true;
  try {
    await checkEach();
  } finally {
    state.checking = false;
  }
}

async function checkEach(): Promise<void> {
  const byWorkspace = new Map<string, Watch[]>();
  for (const watch of state.watches) byWorkspace.set(watch.workspace, [...(byWorkspace.get(watch.workspace) ?? []), watch]);
  for (const [workspace, watches] of byWorkspace) {
    try {
      const visitorIds = [...new Set(watches.map((watch) => watch.visitorId))];
      const present = new Set(await (await db()).call<string[]>('present_members', { p_workspace: workspace, p_visitor_ids: visitorIds }));
      for (const watch of watches) {
        if (present.has(watch.visitorId) || !state.watches.delete(watch)) continue;
        watch.onRevoked();
      }
    } catch (error) {
      // The database away for a moment: streams go on, and the next tick asks again.
      logger.warn('membership check failed', { workspace, error });
    }
  }
}
