import 'server-only';
import { counter, histogram } from '@/features/metrics/server';
import type { Spend } from '@/features/sandbox/server';
import type { RunEvent } from '../types';
import type { Run } from './run';

const started = counter({
  name: 'tether_runs_started_total',
  help: 'Runs admitted on this instance, by workspace and mode.',
  labelNames: ['workspace', 'mode'],
});
const ended = counter({
  name: 'tether_runs_ended_total',
  help: 'Runs ended on this instance, by status (completed, failed, stopped, interrupted), workspace and mode.',
  labelNames: ['status', 'workspace', 'mode'],
});
// Runs last from seconds (a question) to the time limit (15 minutes by default).
const duration = histogram({
  name: 'tether_run_duration_seconds',
  help: "A run's turn, from waiting for an agent to its end, by status and mode.",
  labelNames: ['status', 'mode'],
  buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 900, 1800],
});
// A warm agent answers in well under a second, a cold one in about one; past that it queued.
const firstToken = histogram({
  name: 'tether_run_first_token_seconds',
  help: "From a run's admission to the agent's first text, thinking or tool call: what the visitor waits, the queue and a cold start included.",
  labelNames: ['mode'],
  buckets: [0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 20, 30, 60],
});
const tokens = counter({
  name: 'tether_model_tokens_total',
  help: 'Model tokens the model door metered, by model and kind (input, output, cache_read, cache_write).',
  labelNames: ['model', 'kind'],
});
const cost = counter({
  name: 'tether_model_cost_usd_total',
  help: 'Model spend in US dollars at the model door (the demo model costs nothing), by model.',
  labelNames: ['model'],
});

/** What the agent shows first: the visitor stops waiting at the first of these. */
const FIRST_WORDS: ReadonlySet<RunEvent['type']> = new Set(['text', 'thinking', 'tool']);

/**
 * Counts a run from its own events, after `after` (a continuation's earlier half was counted by
 * the process that ran it): its start, its first word, its end. One recorder per run, so the
 * run's code carries no metric calls.
 */
export function recordRunMetrics(run: Run, after = 0): void {
  let waitingForFirstWord = false;
  run.addRecorder(after, (event) => {
    if (event.type === 'start') {
      started.inc({ workspace: run.workspace, mode: run.mode });
      waitingForFirstWord = true;
    } else if (waitingForFirstWord && FIRST_WORDS.has(event.type)) {
      waitingForFirstWord = false;
      firstToken.observe({ mode: run.mode }, (Date.now() - run.startedAt.getTime()) / 1000);
    } else if (event.type === 'end') {
      ended.inc({ status: event.status, workspace: run.workspace, mode: run.mode });
      duration.observe({ status: event.status, mode: run.mode }, event.durationMs / 1000);
    }
  });
}

/** One model request's spend, as the model door metered it. */
export function countSpend(spend: Spend): void {
  const { usage } = spend;
  tokens.inc({ model: spend.model, kind: 'input' }, usage.inputTokens);
  tokens.inc({ model: spend.model, kind: 'output' }, usage.outputTokens);
  tokens.inc({ model: spend.model, kind: 'cache_read' }, usage.cacheReadTokens);
  tokens.inc({ model: spend.model, kind: 'cache_write' }, usage.cacheWrite5mTokens + usage.cacheWrite1hTokens);
  cost.inc({ model: spend.model }, spend.usd);
}
