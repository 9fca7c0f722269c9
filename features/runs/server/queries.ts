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

/** Retry, Edit: the conversation's latest finished run is replaced by `by` and leaves its history. */
export async function markRunReplaced(conversationId: string, by: string) {
  await (await db()).call('mark_run_replaced', { p_conversation_id: conversationId, p_by: by });
}

export async function listRuns(conversationId: string) {
  return (await db()).call<RunRecord[]>('list_runs', { p_conversation_id: conversationId });
}

/** The running run's spend and progress so far, for a continuation to count on. */
export async function recordRunProgress({ id, costUsd, inputTokens, outputTokens, turns, workedMs, agentStarted }: RunProgress & { id: string; agentStarted: boolean }) {
  await (
    await db()
  ).call('record_run_progress', {
    p_id: id,
    p_cost_usd: costUsd,
    p_input_tokens: inputTokens,
    p_output_tokens: outputTokens,
    p_turns: turns,
    p_worked_ms: Math.round(workedMs),
    p_agent_started: agentStarted,
  });
}

/** Stop for a running run whose server is gone; false when it is no longer running. */
export async function requestRunStop(id: string) {
  return (await db()).call<boolean>('request_run_stop', { p_id: id });
}

export type RunProgress = { costUsd: number; inputTokens: number; outputTokens: number; turns: number; workedMs: number };

/** A run whose server went, as claimed: still `running` when this instance continues it, else how it ended. */
export type OrphanedRun = RunRecord & {
  visitorId: string;
  workspace: string;
  continuations: number;
  agentStarted: boolean;
  turns: number;
  workedMs: number;
};

/**
 * The running runs this instance takes on: its own (`own`, at its start: an earlier process of it
 * left them) or those of instances silent for `staleSeconds`. Each is claimed by one caller only;
 * those with continuations left and no Stop are continued here, the rest are ended.
 */
export async function claimOrphanedRuns({ owner, own, staleSeconds, maxContinuations }: { owner: string; own: boolean; staleSeconds: number; maxContinuations: number }) {
  return (await db()).call<OrphanedRun[]>('claim_orphaned_runs', { p_owner: owner, p_own: own, p_stale_seconds: staleSeconds, p_max_continuations: maxContinuations });
}

/** A run as the operator's command line lists it: any visitor's, with its workspace and the instance running it. */
export type OperatorRun = RunRecord & { workspace: string; owner: string | null; agentStarted: boolean; stopRequested: boolean };

export type OperatorStatus = {
  instances: Array<{ id: string; startedAt: string; heartbeatAt: string; alive: boolean; running: number }>;
  /** Runs whose agent has the prompt, and runs still waiting for a process (queued) or starting. */
  running: number;
  queued: number;
  /** Metered model spend of the runs started in the last 24 h (the daily budgets' window). */
  spentUsd: number;
  spentByWorkspace: Array<{ workspace: string; spentUsd: number }>;
};

export async function operatorStatus(staleSeconds: number) {
  return (await db()).call<OperatorStatus>('operator_status', { p_stale_seconds: staleSeconds });
}

/** Latest first: one workspace's (or every one's), running ones only or all, at most `limit`. */
export async function operatorRuns({ workspace, running, limit }: { workspace: string | null; running: boolean; limit: number }) {
  return (await db()).call<OperatorRun[]>('operator_runs', { p_workspace: workspace, p_running: running, p_limit: limit });
}

export async function operatorRun(id: string) {
  return (await db()).call<OperatorRun | null>('operator_run', { p_id: id });
}

/** This instance's running runs someone asked to stop through the database. */
export async function stopRequests(owner: string) {
  return (await db()).call<string[]>('stop_requests', { p_owner: owner });
}
