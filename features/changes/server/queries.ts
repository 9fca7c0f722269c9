import 'server-only';
import { db } from '@/lib/db/connection';
import type { RunStatus } from '@/features/conversations/vocabulary';
import type { FileChange, FileChangeKind } from '../types';
import type { Snapshot } from './snapshots';

/** Records a finished run's changes, as its Changes view shows them. */
export async function recordRunChanges(runId: string, changes: FileChange[]) {
  await (await db()).call('record_run_file_changes', { p_run_id: runId, p_changes: JSON.stringify(changes) });
}

/** Keeps a run's snapshot with it; the first of each moment stands, and its tree is returned. */
export async function recordRunSnapshot(runId: string, moment: 'before' | 'after', snapshot: Snapshot) {
  return (await db()).call<string>('record_run_snapshot', { p_run_id: runId, p_moment: moment, p_tree: snapshot.tree, p_not_kept: JSON.stringify(snapshot.notKept) });
}

export type RunSnapshotPair = { before: Snapshot | null; after: Snapshot | null };

export async function getRunSnapshots(runId: string) {
  return (await db()).call<RunSnapshotPair>('get_run_snapshots', { p_run_id: runId });
}

export type RunChanges = { runId: string; undoneAt: string | null; files: FileChange[] };

/** Per run of the conversation that changed files: what it changed (without the contents). */
export async function listRunChanges(conversationId: string) {
  return (await db()).call<RunChanges[]>('list_run_changes', { p_conversation_id: conversationId });
}

/** Where the conversation's whole change starts (the snapshot before its first run that has one) and the paths its runs changed; null when it isn't the visitor's. */
export async function getConversationChanges({ conversationId, visitorId, workspace }: { conversationId: string; visitorId: string; workspace: string }) {
  return (await db()).call<{ title: string | null; before: (Snapshot & { runId: string }) | null; paths: string[] } | null>('get_conversation_changes', {
    p_conversation_id: conversationId,
    p_visitor_id: visitorId,
    p_workspace: workspace,
  });
}

type RecordedFile = { path: string; kind: FileChangeKind; restorable: boolean };

/** The visitor's run's changes with its snapshots (for Undo), or null. */
export async function getRunChanges({ runId, visitorId, workspace }: { runId: string; visitorId: string; workspace: string }) {
  return (await db()).call<{ runId: string; conversationId: string; status: RunStatus; undoneAt: string | null; snapshots: RunSnapshotPair; files: RecordedFile[] } | null>('get_run_changes', {
    p_run_id: runId,
    p_visitor_id: visitorId,
    p_workspace: workspace,
  });
}

/** Marks them undone with the paths Undo restored (the agent's next turn is told of them); false when they were undone already. */
export async function markRunChangesUndone(runId: string, paths: string[]) {
  return (await db()).call<boolean>('undo_run_changes', { p_run_id: runId, p_paths: JSON.stringify(paths) });
}

/** The paths undone since the agent last heard (see migration 000023), from how many runs; the run is now the one that tells them. */
export async function takeUndonePaths({ conversationId, runId }: { conversationId: string; runId: string }) {
  return (await db()).call<{ paths: string[]; runs: number }>('take_undone_paths', { p_conversation_id: conversationId, p_run_id: runId });
}

/** Whether a run of the conversation is in progress (Undo waits for it). */
export async function hasRunningRun(conversationId: string) {
  const runs = await (await db()).call<Array<{ status: RunStatus }>>('list_runs', { p_conversation_id: conversationId });
  return runs.some((run) => run.status === 'running');
}

export type SnapshotRun = { id: string; running: boolean; startedAt: string };

/** Of these runs, the ones whose snapshots are still wanted (see migration 000022), oldest first. */
export async function snapshotRuns(ids: string[]) {
  return (await db()).call<SnapshotRun[]>('snapshot_runs', { p_ids: ids });
}
