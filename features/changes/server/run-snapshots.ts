import 'server-only';
import type { Workspace } from '@/features/workspaces/server';
import { AppError } from '@/lib/errors';
import { logger } from '@/lib/logger';
import type { FileChange } from '../types';
import { holdRunSnapshots, releaseRunSnapshots, sweepSnapshots } from './prune';
import { getRunSnapshots } from './queries';
import { readSnapshotRef, runSnapshotRef, takeSnapshot, type Snapshot } from './snapshots';
import { treeChanges } from './tree-changes';

const NOT_STARTED = 'Nothing was started: a run never goes ahead without a checkpoint to undo it to.';

/** Keeps a run's snapshot where it outlives this process (the database); rejects when it can't be kept. */
export type KeepSnapshot = (moment: 'before' | 'after', snapshot: Snapshot) => Promise<void>;

/**
 * A run's checkpoint: the workspace's files before its agent starts and when it ends, so its
 * Changes see everything it did, the shell's edits included, and Undo can put it all back.
 */
export class RunSnapshots {
  private before: Snapshot | null;

  constructor(
    private readonly workspace: Workspace,
    private readonly runId: string,
    private readonly keep: KeepSnapshot,
    /** The before a continued run already has. */
    before: Snapshot | null = null,
  ) {
    this.before = before;
  }

  /**
   * Takes the before snapshot (a continuation keeps the one it has) and keeps it with the run.
   * Throws when either fails: a run must not start without its checkpoint.
   */
  async takeBefore(): Promise<void> {
    // From here to its end no sweep drops the run's refs (a continuation's included).
    holdRunSnapshots(this.runId);
    if (this.before) return;
    const snapshot = await takeSnapshot(this.workspace, { ref: runSnapshotRef(this.runId, 'before') }).catch((error: unknown) => {
      throw error instanceof AppError ? new AppError(error.code, `${error.message} ${NOT_STARTED}`) : error;
    });
    await this.keep('before', snapshot).catch((error: unknown) => {
      logger.error("a run's before snapshot could not be kept", { runId: this.runId, error });
      throw new AppError('unavailable:database', `The checkpoint of the workspace's files could not be saved. ${NOT_STARTED} Try again in a moment.`);
    });
    this.before = snapshot;
  }

  /**
   * At the run's end: the after snapshot, kept with the run, and every change since the before.
   * Never throws (the run's end must be recorded whatever happens here): `problem` says what
   * went wrong, for the run to tell.
   */
  async changesAtEnd(): Promise<{ changes: FileChange[]; problem: string | null }> {
    try {
      if (!this.before) return { changes: [], problem: null };
      const after = await takeSnapshot(this.workspace, { ref: runSnapshotRef(this.runId, 'after') });
      await this.keep('after', after);
      const changes = await treeChanges(this.workspace, this.before, after);
      // In the background: the store's upkeep (what's gone, its bound, git's gc) is no part of the run's end.
      void sweepSnapshots(this.workspace.name);
      return { changes, problem: null };
    } catch (error) {
      logger.error('the changes of a run could not be worked out', { runId: this.runId, workspace: this.workspace.name, error });
      const why = error instanceof Error ? error.message : String(error);
      return { changes: [], problem: `This run's changes could not be worked out, so they are not listed and can't be undone here: ${why}` };
    } finally {
      releaseRunSnapshots(this.runId);
    }
  }
}

/**
 * The before snapshot of a run being continued: as kept in the database, or (when that write had
 * not landed when its server went) as its ref still pins it. Null when the run never took one:
 * its agent never started, so the continuation takes it.
 */
export async function keptBefore(workspace: Workspace, runId: string): Promise<Snapshot | null> {
  const { before } = await getRunSnapshots(runId);
  if (before) return before;
  const tree = await readSnapshotRef(workspace, runSnapshotRef(runId, 'before'));
  return tree ? { tree, notKept: [] } : null;
}
