import 'server-only';
import { db } from '@/lib/db/connection';
import type { RunStatus } from '@/features/conversations/vocabulary';
import type { FileChange } from '../types';

/** A change as kept for Undo: the file's text before the run and after it (null: absent, or not kept). */
export type KeptChange = FileChange & { before: string | null; after: string | null };

export async function recordRunChanges(runId: string, changes: KeptChange[]) {
  await (
    await db()
  ).call('record_run_changes', {
    p_run_id: runId,
    p_paths: changes.map((change) => change.path),
    p_befores: changes.map((change) => change.before),
    p_afters: changes.map((change) => change.after),
    p_patches: changes.map((change) => change.patch),
    p_added: changes.map((change) => change.added),
    p_removed: changes.map((change) => change.removed),
    p_restorable: changes.map((change) => change.restorable),
  });
}

export type RunChanges = { runId: string; undoneAt: string | null; files: FileChange[] };

/** Per run of the conversation that changed files: what it changed (without the contents). */
export async function listRunChanges(conversationId: string) {
  return (await db()).call<RunChanges[]>('list_run_changes', { p_conversation_id: conversationId });
}

type KeptFile = { path: string; before: string | null; after: string | null; restorable: boolean };

/** The visitor's run's changes with the files' contents (for Undo), or null. */
export async function getRunChanges({ runId, visitorId, workspace }: { runId: string; visitorId: string; workspace: string }) {
  return (await db()).call<{ runId: string; conversationId: string; status: RunStatus; undoneAt: string | null; files: KeptFile[] } | null>('get_run_changes', {
    p_run_id: runId,
    p_visitor_id: visitorId,
    p_workspace: workspace,
  });
}

/** False when they were undone already. */
export async function markRunChangesUndone(runId: string) {
  return (await db()).call<boolean>('mark_run_changes_undone', { p_run_id: runId });
}

/** Whether a run of the conversation is in progress (Undo waits for it). */
export async function hasRunningRun(conversationId: string) {
  const runs = await (await db()).call<Array<{ status: RunStatus }>>('list_runs', { p_conversation_id: conversationId });
  return runs.some((run) => run.status === 'running');
}
