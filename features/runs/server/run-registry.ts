import 'server-only';
import { releaseRun } from '@/features/limits/server';
import { AppError } from '@/lib/errors';
import { hasProcess } from '@/features/agents/server';
import { gauge } from '@/features/metrics/server';
import type { Run } from './run';
import { recordRunMetrics } from './run-metrics';

// Route handlers and instrumentation get separate module copies: the registry lives on globalThis.
type Registry = { runs: Map<string, Run>; activeByConversation: Map<string, Run> };
const store = globalThis as { tetherRuns?: Registry };
const registry = (store.tetherRuns ??= { runs: new Map(), activeByConversation: new Map() });

// Read from the run registry at each scrape, so they can't drift from what is running.
gauge({
  name: 'tether_runs_in_progress',
  help: 'Runs in progress on this instance: queued (waiting for an agent) or running (starting, answering, waiting for approval, finishing).',
  labelNames: ['state'],
  collect() {
    const runs = activeRuns();
    const queued = runs.filter((run) => run.state.phase === 'queued').length;
    this.set({ state: 'queued' }, queued);
    this.set({ state: 'running' }, runs.length - queued);
  },
});
gauge({
  name: 'tether_approvals_waiting',
  help: "Ask mode's tool calls waiting for the visitor's answer on this instance.",
  collect() {
    this.set(activeRuns().reduce((sum, run) => sum + run.approvals.waitingCount, 0));
  },
});

/** The conversation's run in progress on this instance. */
export function activeRun(conversationId: string): Run | undefined {
  return registry.activeByConversation.get(conversationId);
}

/** Every run in progress on this instance. */
export function activeRuns(): Run[] {
  return [...registry.activeByConversation.values()];
}

/** A run this instance runs or just ran, by id. */
export function localRun(runId: string): Run | undefined {
  return registry.runs.get(runId);
}

/** Whether this instance runs (or just ran) `runId` for `visitorId`: then it is theirs, no need to ask the database. */
export function isLocalRunOf(runId: string, visitorId: string): boolean {
  return registry.runs.get(runId)?.visitorId === visitorId;
}

/** The visitor's run in this workspace, on this instance; anyone else's (or an unknown id) is not found. */
export function requireRun({ runId, visitorId, workspace }: { runId: string; visitorId: string; workspace: string }): Run {
  const run = registry.runs.get(runId);
  if (!run || run.visitorId !== visitorId || run.workspace !== workspace) throw new AppError('not_found:run', 'No such run.');
  return run;
}

/** True while the conversation has a run or an agent process on this instance. */
export function isBusy(conversationId: string): boolean {
  return registry.activeByConversation.has(conversationId) || hasProcess(conversationId);
}

/** Refuses a second run in a conversation that has one here. */
export function assertNoActiveRun(conversationId: string): void {
  if (registry.activeByConversation.has(conversationId)) throw runActiveError();
}

/** A second send to a conversation whose run is in progress, here or on another instance. */
export function runActiveError(): AppError {
  return new AppError('conflict:run_active', 'A run is already in progress in this conversation. Wait for it or stop it.');
}

/** Makes `run` its conversation's run in progress; call right after assertNoActiveRun, with no await between. */
export function register(run: Run): void {
  registry.activeByConversation.set(run.conversationId, run);
  registry.runs.set(run.id, run);
  // A continuation's earlier events were counted by the process that ran them.
  recordRunMetrics(run, run.events.length);
}

/** The run ended: its conversation is free for the next one, and its slot among the visitor's runs is given back. */
export function markEnded(run: Run): void {
  if (registry.activeByConversation.get(run.conversationId) === run) registry.activeByConversation.delete(run.conversationId);
  void releaseRun(run.id);
  run.settle();
}

/** Drops the run from memory (its replay time is over, or its conversation was deleted). */
export function forget(run: Run): void {
  registry.runs.delete(run.id);
  markEnded(run);
}

/** Every run of the conversation this instance still holds. */
export function runsOf(conversationId: string): Run[] {
  return [...registry.runs.values()].filter((run) => run.conversationId === conversationId);
}
