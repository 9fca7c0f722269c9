import 'server-only';
import { db } from '@/lib/db/connection';
import type { AgentMode, FileChange, RunStatus } from '../types';

/** A change as kept for Undo: the file's text before the run and after it (null: absent, or not kept). */
export type KeptChange = FileChange & { before: string | null; after: string | null };

export type RunRecord = {
  id: string;
  conversationId: string;
  model: string;
  mode: AgentMode;
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
  costUsd: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  durationMs: number | null;
  error: string | null;
};

/** Records a run of `owner` (an instance id); null when the conversation has a running run already, on any instance. */
export async function insertRun({ id, conversationId, model, mode, owner }: { id: string; conversationId: string; model: string; mode: AgentMode; owner: string }) {
  return (await db()).call<RunRecord | null>('start_run', { p_id: id, p_conversation_id: conversationId, p_model: model, p_mode: mode, p_owner: owner });
}

export async function recordRunEnd({ id, status, costUsd, inputTokens, outputTokens, durationMs, error }: {
  id: string;
  status: Exclude<RunStatus, 'running'>;
  costUsd: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  durationMs: number;
  error: string | null;
}) {
  return (await db()).call<RunRecord | null>('finish_run', {
    p_id: id, p_status: status, p_cost_usd: costUsd, p_input_tokens: inputTokens,
    p_output_tokens: outputTokens, p_duration_ms: durationMs, p_error: error,
  });
}

/** The visitor's run in the workspace, with its owner (the instance running it), or null. */
export async function getRun({ runId, visitorId, workspace }: { runId: string; visitorId: string; workspace: string }) {
  return (await db()).call<(RunRecord & { owner: string | null }) | null>('get_run', { p_id: runId, p_visitor_id: visitorId, p_workspace: workspace });
}

export async function listRuns(conversationId: string) {
  return (await db()).call<RunRecord[]>('list_runs', { p_conversation_id: conversationId });
}

/** At start: the runs an earlier process of this instance left 'running' can't be finished any more. */
export async function interruptOwnRuns(owner: string) {
  return (await db()).call<number>('interrupt_own_runs', { p_owner: owner });
}

export type TakenOverRun = { id: string; conversationId: string; model: string; mode: AgentMode; startedAt: string };

/** This instance is alive; the runs of instances silent for `staleSeconds` are interrupted and returned (to this caller only). */
export async function beatAndTakeOverStaleRuns(owner: string, staleSeconds: number): Promise<TakenOverRun[]> {
  const database = await db();
  await database.call('instance_heartbeat', { p_id: owner });
  return database.call<TakenOverRun[]>('take_over_stale_runs', { p_stale_seconds: staleSeconds });
}

export async function leaveInstances(owner: string) {
  await (await db()).call('instance_leave', { p_id: owner });
}

export async function recordRunChanges(runId: string, changes: KeptChange[]) {
  await (await db()).call('record_run_changes', {
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
