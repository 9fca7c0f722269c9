import 'server-only';
import { db } from '@/lib/db/instance';
import type { AgentMode, RunStatus } from '../types';

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

export async function insertRun({ id, conversationId, model, mode }: { id: string; conversationId: string; model: string; mode: AgentMode }) {
  return (await db()).call<RunRecord>('start_run', { p_id: id, p_conversation_id: conversationId, p_model: model, p_mode: mode });
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

export async function listRuns(conversationId: string) {
  return (await db()).call<RunRecord[]>('list_runs', { p_conversation_id: conversationId });
}

/** At start: runs a previous process left 'running' can't be finished any more. */
export async function markRunsInterrupted() {
  return (await db()).call<number>('interrupt_running_runs', {});
}
