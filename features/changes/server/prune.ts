import 'server-only';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { onConversationDeleted } from '@/features/conversations/server';
import { snapshotsGitDir, workspaceNames, type Workspace } from '@/features/workspaces/server';
import { serverEnv } from '@/lib/env';
import { logger } from '@/lib/logger';
import type { GitRepo } from '@/lib/git';
import { snapshotRuns } from './queries';
import { inRepoQueue, snapshotDeadline } from './shadow-repo';
import { readSnapshotRef, runSnapshotRef, type Snapshot } from './snapshots';
import { collectGarbage, dropRefs, heldBytes, pruneLoose, runRefs, storeBytes } from './store';

/**
 * Which snapshots a workspace's store keeps: the refs of runs that are gone (their conversation
 * deleted or expired) are dropped, and past TETHER_SNAPSHOT_STORE_MB the oldest ended runs' go
 * first; git's gc then takes the objects no ref holds. A run in progress keeps its refs.
 */

/** What a sweep dropped: the runs that were gone, and those that went to bring the store under its bound. */
export type SweepResult = { gone: string[]; overBound: string[] };

const MIB = 1024 * 1024;
const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// On globalThis: route handlers and the server's start get separate module copies.
const store = globalThis as {
  tetherRunsSnapshotting?: Set<string>;
  tetherSnapshotSweeps?: Map<string, { loose: boolean; done: Promise<SweepResult> }>;
  tetherSweepTails?: Map<string, Promise<unknown>>;
  tetherPrunesDeleted?: boolean;
};
/**
 * Runs of this process from their before snapshot to their end: their refs are never dropped, not
 * even when the database no longer has them (their conversation was deleted while they ran).
 */
const inProgress = (store.tetherRunsSnapshotting ??= new Set());
const waiting = (store.tetherSnapshotSweeps ??= new Map());
const tails = (store.tetherSweepTails ??= new Map());

export const holdRunSnapshots = (runId: string) => void inProgress.add(runId);
export const releaseRunSnapshots = (runId: string) => void inProgress.delete(runId);

/** A store found by its workspace's name alone: a sweep reads no files, so it opens no workspace (nor mounts its image). */
function storeOf(workspace: string): GitRepo {
  const gitDir = snapshotsGitDir({ name: workspace });
  return { gitDir, workTree: gitDir };
}

/**
 * Sweeps the workspace's store: one sweep at a time per store, and one waiting behind it that
 * every request meanwhile joins (deleting all of a visitor's conversations asks once per
 * conversation). `loose`: also delete what an earlier gc left loose (the timer's sweep). Never
 * throws: a failure is logged, and the next sweep tries again.
 */
export function sweepSnapshots(workspace: string, { loose = false }: { loose?: boolean } = {}): Promise<SweepResult> {
  const queued = waiting.get(workspace);
  if (queued) {
    queued.loose ||= loose;
    return queued.done;
  }
  const entry = { loose, done: null as unknown as Promise<SweepResult> };
  entry.done = (tails.get(workspace) ?? Promise.resolve()).then(() => {
    waiting.delete(workspace);
    return sweep(workspace, entry.loose);
  });
  waiting.set(workspace, entry);
  tails.set(workspace, entry.done);
  void entry.done.then(() => tails.get(workspace) === entry.done && tails.delete(workspace));
  return entry.done;
}

/** When the sweeps asked for so far of the workspace's store are done (tests, the bench). */
export function snapshotSweepsSettled(workspace: string): Promise<void> {
  return (tails.get(workspace) ?? Promise.resolve()).then(() => {});
}

async function sweep(workspace: string, loose: boolean): Promise<SweepResult> {
  const repo = storeOf(workspace);
  if (!existsSync(path.join(repo.gitDir, 'HEAD'))) return { gone: [], overBound: [] };
  try {
    // Reading refs and asking the database happen outside the queue: a run's snapshot need not wait for them.
    const refs = await runRefs(repo, snapshotDeadline());
    const { gone, overBound, garbage } = await unwanted(repo, refs);
    const dropped = [...gone, ...overBound];
    await inRepoQueue(repo.gitDir, async () => {
      const deadline = snapshotDeadline();
      await dropRefs(
        repo,
        dropped.flatMap((runId) => refs.get(runId) ?? []),
        deadline,
      );
      await collectGarbage(repo, { full: dropped.length > 0 }, deadline);
      if (loose || garbage) await pruneLoose(repo, deadline);
    });
    if (gone.length > 0) logger.info('dropped the snapshots of runs that are gone', { workspace, runs: gone.length });
    if (overBound.length > 0) {
      logger.warn("a workspace's snapshot store passed TETHER_SNAPSHOT_STORE_MB: the oldest runs' snapshots were dropped, and their changes can no longer be undone", {
        workspace,
        runs: overBound.length,
      });
    }
    return { gone, overBound };
  } catch (error) {
    logger.warn('sweeping a snapshot store failed', { workspace, error });
    return { gone: [], overBound: [] };
  }
}

/**
 * The runs whose refs go: those the database no longer wants, and the fewest oldest ended runs
 * whose going brings what the refs hold under the bound. `garbage`: the store is over its bound
 * only with objects no ref holds any more (an earlier drop's, waiting for git's expiry).
 */
async function unwanted(repo: GitRepo, refs: Map<string, string[]>): Promise<SweepResult & { garbage: boolean }> {
  const ids = [...refs.keys()].filter((id) => RUN_ID.test(id)); // any other ref is not a run's: left alone
  const kept = ids.length > 0 ? await snapshotRuns(ids) : [];
  const wanted = new Set(kept.map((run) => run.id));
  const gone = ids.filter((id) => !wanted.has(id) && !inProgress.has(id));
  const limit = serverEnv().TETHER_SNAPSHOT_STORE_MB * MIB;
  const deadline = snapshotDeadline();
  if (limit === 0 || (await storeBytes(repo, deadline)) <= limit) return { gone, overBound: [], garbage: false };
  const candidates = kept.filter((run) => !run.running && !inProgress.has(run.id)).map((run) => run.id); // oldest first
  const goneSet = new Set(gone);
  const heldWithout = (oldest: number) => {
    const dropping = new Set([...goneSet, ...candidates.slice(0, oldest)]);
    return heldBytes(
      repo,
      [...refs].flatMap(([runId, runRefNames]) => (dropping.has(runId) ? [] : runRefNames)),
      deadline,
    );
  };
  if ((await heldWithout(0)) <= limit) return { gone, overBound: [], garbage: true };
  // What the refs hold shrinks as more of the oldest go: the fewest that bring it under, by halving.
  let low = 1;
  let high = candidates.length;
  if (high === 0 || (await heldWithout(high)) > limit) {
    if (high > 0) logger.warn("a workspace's snapshot store is over TETHER_SNAPSHOT_STORE_MB with its current files alone: every ended run's snapshots go", { gitDir: repo.gitDir });
    return { gone, overBound: candidates, garbage: false };
  }
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if ((await heldWithout(middle)) <= limit) high = middle;
    else low = middle + 1;
  }
  return { gone, overBound: candidates.slice(0, low), garbage: false };
}

/** Whether a run's snapshots are still pinned by its refs (dropped by a sweep, or the store made again, they are not). */
export async function runSnapshotsKept(workspace: Workspace, runId: string, { before, after }: { before: Snapshot; after: Snapshot }): Promise<boolean> {
  const [beforeTree, afterTree] = await Promise.all([readSnapshotRef(workspace, runSnapshotRef(runId, 'before')), readSnapshotRef(workspace, runSnapshotRef(runId, 'after'))]);
  return beforeTree === before.tree && afterTree === after.tree;
}

/** At start: a deleted conversation's runs' snapshots go from its workspace's store (in the background). */
export function pruneDeletedConversations(): void {
  if (store.tetherPrunesDeleted) return;
  store.tetherPrunesDeleted = true;
  onConversationDeleted(async (_conversationId, { workspace }) => void sweepSnapshots(workspace));
}

/** Every workspace's store, one after the other: on the server's purge timer (expired conversations) and at start. */
export async function sweepSnapshotStores(): Promise<void> {
  for (const workspace of workspaceNames()) await sweepSnapshots(workspace, { loose: true });
}
