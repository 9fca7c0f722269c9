import 'server-only';
import { copyFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Workspace } from '@/features/workspaces/server';
import { AppError } from '@/lib/errors';
import { GitError, nulList, runGit, type GitRepo } from '@/lib/git';
import { indexOf, inRepoQueue, repoOf, snapshotDeadline } from './shadow-repo';
import { snapshotInQueue, treesExist, type Snapshot } from './snapshots';

/** How many changed files a refusal names before "and N more". */
const MAX_NAMED = 10;

/**
 * Puts back, as they were in `before`, every file that differs between `before` and `after` (a
 * run's two snapshots): edits, deletions, renames, binaries and modes alike; a file the run made
 * is removed, and folders it left empty with it. Refuses, changing nothing, when the snapshots are
 * gone or any of those files differs now from `after`, naming them. Returns the paths it restored.
 */
export async function restoreSnapshot(workspace: Workspace, before: Snapshot, after: Snapshot): Promise<string[]> {
  if (!(await treesExist(workspace, [before.tree, after.tree]))) {
    throw new AppError('conflict:snapshot_gone', "This run's snapshots are gone (the workspace's snapshot store was made again since), so its changes can't be undone.");
  }
  const repo = repoOf(workspace);
  return inRepoQueue(repo.gitDir, async () => {
    const deadline = snapshotDeadline();
    // A snapshot of now, whose index is the starting point: git then checks each file against it.
    const now = await snapshotInQueue(workspace, deadline);
    const touched = await differing(repo, before.tree, after.tree, deadline);
    const since = new Set(await differing(repo, after.tree, now.tree, deadline));
    const notKeptNow = new Set(now.notKept.map((item) => item.path));
    const changedSince = touched.filter((file) => since.has(file) || notKeptNow.has(file));
    if (changedSince.length > 0) {
      const named = changedSince.slice(0, MAX_NAMED).join(', ') + (changedSince.length > MAX_NAMED ? ` and ${changedSince.length - MAX_NAMED} more` : '');
      throw new AppError('conflict:changed_since', `${named} changed after this run (edited outside the agent, or by a later run). Undoing would overwrite that, so nothing was changed.`);
    }
    // On a copy of the index: a refusal from git leaves the repository's own as it was. The
    // two-tree read-tree switches exactly the files that differ between the trees, after checking
    // every one of them against the work tree, and writes nothing unless all pass.
    const index = path.join(repo.gitDir, `index-undo-${randomUUID()}`);
    try {
      copyFileSync(indexOf(repo), index);
      await runGit(repo, ['read-tree', '-m', '-u', after.tree, before.tree], { deadline, indexFile: index });
    } catch (error) {
      if (error instanceof GitError && !error.timedOut) {
        throw new AppError('conflict:changed_since', `The files this run changed are not as it left them (${error.message}), so nothing was changed.`);
      }
      throw error;
    } finally {
      rmSync(index, { force: true });
    }
    return touched;
  });
}

/** The paths that differ between two trees (a rename counts as both its paths). */
async function differing(repo: GitRepo, from: string, to: string, deadline: number): Promise<string[]> {
  if (from === to) return [];
  return nulList((await runGit(repo, ['diff-tree', '-r', '--no-renames', '--name-only', '-z', from, to], { deadline })).stdout);
}
