import 'server-only';
import { conversationWorkspace, type Workspace } from '@/features/workspaces/server';
import { AppError } from '@/lib/errors';
import { runSnapshotsKept } from './prune';
import { getRunChanges, hasRunningRun, markRunChangesUndone } from './queries';
import { restoreSnapshot } from './restore';

/**
 * "Undo these changes": puts everything the run changed back as it was in its before snapshot.
 * Refused, changing nothing, while a run is in progress in the conversation, when a file was not
 * kept in the snapshots, when the snapshots are gone (dropped past the store's bound, or the store
 * made again), or when any of its files changed after the run (edited outside the agent, or by a
 * later run): undoing would clobber that.
 */
export async function undoRunChanges({ runId, visitorId, workspace }: { runId: string; visitorId: string; workspace: Workspace }): Promise<{ runId: string; paths: string[] }> {
  const record = await getRunChanges({ runId, visitorId, workspace: workspace.name });
  if (!record) throw new AppError('not_found:run', 'No such run.');
  if (record.undoneAt) throw new AppError('conflict:already_undone', 'These changes were already undone.');
  if (record.files.length === 0) throw new AppError('conflict:nothing_to_undo', 'This run changed no files.');
  if (await hasRunningRun(record.conversationId)) {
    throw new AppError('conflict:run_active', 'A run is in progress in this conversation. Wait for it to end, or stop it, then undo.');
  }
  const { before, after } = record.snapshots;
  if (!before || !after) throw new AppError('conflict:not_restorable', "These changes were recorded before Tether kept snapshots of the workspace, so they can't be undone here.");
  const unkept = record.files.filter((file) => !file.restorable).map((file) => file.path);
  if (unkept.length > 0) {
    throw new AppError(
      'conflict:not_restorable',
      `${unkept.join(', ')} ${unkept.length === 1 ? 'was' : 'were'} not kept in the snapshots (too large, or a git repository of its own), so these changes can't be undone.`,
    );
  }
  const files = conversationWorkspace(workspace, record.conversationId);
  if (!(await runSnapshotsKept(files, runId, { before, after }))) {
    throw new AppError(
      'conflict:snapshot_gone',
      "This run's snapshots are no longer kept (the workspace's snapshot store keeps the newest runs' within its size limit, or it was made again since), so its changes can't be undone.",
    );
  }
  const paths = await restoreSnapshot(files, before, after);
  await markRunChangesUndone(runId, paths);
  return { runId, paths };
}
