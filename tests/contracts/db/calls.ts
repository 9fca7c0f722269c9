/**
 * The calls and row shapes the store contract's areas share. Each area makes its own
 * conversations (random ids), since every area runs against the same database.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '@/lib/db/types';

export type Conversation = {
  id: string;
  visitorId: string;
  workspace: string;
  sdkSessionId: string | null;
  title: string | null;
  muted: boolean;
  createdAt: string;
  lastActivityAt: string;
  expiresAt: string;
};
export type Run = {
  id: string;
  conversationId: string;
  model: string;
  mode: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  costUsd: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  durationMs: number | null;
  error: string | null;
  /** list_runs only: a later message replaced this run's (Retry, Edit). */
  replaced?: boolean;
};

export const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
// Past the timestamps' millisecond precision, so "later" is observable.
export const tick = () => new Promise((resolve) => setTimeout(resolve, 15));

export function contractCalls(getDb: () => Db) {
  const open = (p: { id: string; visitor?: string; workspace?: string; title?: string; ttl?: number }) =>
    getDb().call<Conversation | null>('open_conversation', {
      p_id: p.id,
      p_visitor_id: p.visitor ?? 'visitor-a',
      p_workspace: p.workspace ?? 'demo',
      p_title: p.title ?? 'Hello',
      p_ttl_seconds: p.ttl ?? 3600,
    });
  const get = (id: string, visitor = 'visitor-a', workspace = 'demo') =>
    getDb().call<Conversation | null>('get_conversation', {
      p_id: id,
      p_visitor_id: visitor,
      p_workspace: workspace,
    });
  const startRun = (conversationId: string, id = randomUUID(), owner: string | null = null) =>
    getDb().call<Run>('start_run', {
      p_id: id,
      p_conversation_id: conversationId,
      p_model: 'claude-sonnet-4-5',
      p_mode: 'build',
      p_owner: owner,
    });
  const finishRun = (id: string, status: string, extra: Partial<Record<string, unknown>> = {}) =>
    getDb().call<Run | null>('finish_run', {
      p_id: id,
      p_status: status,
      p_cost_usd: null,
      p_input_tokens: null,
      p_output_tokens: null,
      p_duration_ms: null,
      p_error: null,
      ...extra,
    });
  const listRuns = (conversationId: string) => getDb().call<Run[]>('list_runs', { p_conversation_id: conversationId });
  return { open, get, startRun, finishRun, listRuns };
}
