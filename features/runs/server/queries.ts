import 'server-only';
import { db } from '@/lib/db/connection';
import type { FinishedRun } from '@/features/timeline/server';
import type { AgentMode, RunStatus } from '../types';

/** A row of the runs table: what the history shows of a run, and where and when it ran. */
export type RunRecord = FinishedRun & { conversationId: string; mode: AgentMode; status: RunStatus; startedAt: string };

/** Records a run of `owner` (an instance id); null when the conversation has a running run already, on any instance. */
export async function insertRun({ id, conversationId, model, mode, owner }: { id: string; conversationId: string; model: string; mode: AgentMode; owner: string }) {
  return (await db()).call<RunRecord | null>('start_run', { p_id: id, p_conversation_id: conversationId, p_model: model, p_mode: mode, p_owner: owner });
}

export async function recordRunEnd({
  id,
  status,
  costUsd,
  inputTokens,
  outputTokens,
  durationMs,
  error,
}: {
  id: string;
  status: Exclude<RunStatus, 'running'>;
  costUsd: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  durationMs: number;
  error: string | null;
}) {
  return (await db()).call<RunRecord | null>('finish_run', {
    p_id: id,
    p_status: status,
    p_cost_usd: costUsd,
    p_input_tokens: inputTokens,
    p_output_tokens: outputTokens,
    p_duration_ms: durationMs,
    p_error: error,
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

/** The runs of instances silent for `staleSeconds`, interrupted and returned (to this caller only). */
export async function takeOverStaleRuns(staleSeconds: number): Promise<TakenOverRun[]> {
  return (await db()).call<TakenOverRun[]>('take_over_stale_runs', { p_stale_seconds: staleSeconds });
}
