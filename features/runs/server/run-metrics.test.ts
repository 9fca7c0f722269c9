/**
 * What runs make `/metrics` say, with the real Agent SDK and its CLI child process against the
 * scripted Messages API (the only thing replaced). The answer is read by a Prometheus
 * text-format parser, and each figure is compared with the one before the run.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsUntilEnd, startAgentTestEnv } from '@/tests/fixtures/agent-env';
import { histogramCount, readMetrics } from '@/tests/fixtures/metrics-text';
import { startViewerServer } from '@/tests/fixtures/viewer-server';
import { lastUserText, type MessagesApi, type Reply } from '@/lib/messages-api/server';
import type { RunEvent } from '../types';

const TOKEN = 'metrics-token-for-tests-0123456789';
const MODEL = 'claude-sonnet-4-5';
let api: MessagesApi;
let runs: typeof import('./run-manager');
let scrapeMetrics: typeof import('@/features/metrics/server').scrapeMetrics;
let viewers: Awaited<ReturnType<typeof startViewerServer>>;
let workspace: import('@/features/workspaces/server').Workspace;
const visitorId = randomUUID();

function script(request: Parameters<typeof lastUserText>[0]): Reply {
  const prompt = lastUserText(request);
  if (prompt.includes('overloaded')) return { error: { status: 500, type: 'api_error', message: 'upstream exploded' } };
  if (prompt.includes('slow')) return { blocks: [{ type: 'text_chunks', chunks: Array.from({ length: 400 }, (_, i) => `w${i} `) }], delayMs: 20 };
  return { blocks: [{ type: 'text_chunks', chunks: ['Hello', ' there', ', friend.'] }] };
}

beforeAll(async () => {
  api = await startAgentTestEnv({ responder: script, dataDir: mkdtempSync(path.join(tmpdir(), 'tether-run-metrics-')), env: { TETHER_METRICS_TOKEN: TOKEN } });
  const workspaces = await import('@/features/workspaces/server');
  workspace = workspaces.createWorkspace({ name: 'gamma', files: { 'notes.txt': 'gamma notes\n' } });
  runs = await import('./run-manager');
  ({ scrapeMetrics } = await import('@/features/metrics/server'));
  viewers = await startViewerServer();
});

afterAll(async () => {
  await viewers?.close();
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

const scrape = async () => readMetrics((await scrapeMetrics(`Bearer ${TOKEN}`)).text);

async function run(text: string, onEvent?: (event: RunEvent, live: import('./run').Run) => void) {
  const info = await runs.startRun({ visitorId, workspace, conversationId: randomUUID(), text, model: MODEL, mode: 'build' });
  const live = runs.requireRun({ runId: info.id, visitorId, workspace: workspace.name });
  return eventsUntilEnd(live, (event) => onEvent?.(event, live));
}

const build = { workspace: 'gamma', mode: 'build' };

describe('run metrics', () => {
  it('counts a completed run: started, ended, its first token and duration, and its tokens and cost by model', async () => {
    const before = await scrape();
    const [firstTokens, durations] = await Promise.all([
      histogramCount('tether_run_first_token_seconds', { mode: 'build' }),
      histogramCount('tether_run_duration_seconds', { mode: 'build', status: 'completed' }),
    ]);
    const events = await run('hello');
    expect(events.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
    const after = await scrape();
    const moved = (name: string, labels: Record<string, string>) => after.value(name, labels) - before.value(name, labels);
    expect(moved('tether_runs_started_total', build)).toBe(1);
    expect(moved('tether_runs_ended_total', { ...build, status: 'completed' })).toBe(1);
    expect(moved('tether_runs_ended_total', { ...build, status: 'failed' })).toBe(0);
    expect(after.families.get('tether_run_first_token_seconds')?.type).toBe('HISTOGRAM');
    expect(after.families.get('tether_run_duration_seconds')?.type).toBe('HISTOGRAM');
    expect((await histogramCount('tether_run_first_token_seconds', { mode: 'build' })) - firstTokens).toBe(1);
    expect((await histogramCount('tether_run_duration_seconds', { mode: 'build', status: 'completed' })) - durations).toBe(1);
    const end = events.at(-1) as Extract<RunEvent, { type: 'end' }>;
    // The door's figures, the same the run's end reports.
    expect(moved('tether_model_tokens_total', { model: MODEL, kind: 'output' })).toBe(end.outputTokens);
    expect(moved('tether_model_cost_usd_total', { model: MODEL })).toBeCloseTo(end.costUsd!, 9);
    expect(after.value('tether_runs_in_progress', { state: 'running' })).toBe(0);
    // Kept for a follow-up.
    expect(after.value('tether_agent_processes', { state: 'warm' })).toBeGreaterThanOrEqual(1);
  });

  it('counts a failed run under its status, with no first token', async () => {
    const before = await scrape();
    const firstTokens = await histogramCount('tether_run_first_token_seconds');
    const events = await run('overloaded');
    expect(events.at(-1)).toMatchObject({ type: 'end', status: 'failed' });
    const after = await scrape();
    expect(after.value('tether_runs_ended_total', { ...build, status: 'failed' }) - before.value('tether_runs_ended_total', { ...build, status: 'failed' })).toBe(1);
    expect(await histogramCount('tether_run_first_token_seconds')).toBe(firstTokens);
    expect(await histogramCount('tether_run_duration_seconds', { status: 'failed' })).toBeGreaterThan(0);
  });

  it('shows a run in progress with its busy agent and its viewer, and counts it stopped', async () => {
    const before = await scrape();
    let during: ReturnType<typeof readMetrics> | undefined;
    let stopping: Promise<unknown> | undefined;
    const events = await run('slow', (event, live) => {
      if (event.type !== 'text' || stopping) return;
      stopping = (async () => {
        const viewer = await viewers.view(live);
        during = await scrape();
        viewer.abort();
        await runs.stopRun(live);
      })();
    });
    await stopping;
    expect(events.at(-1)).toMatchObject({ type: 'end', status: 'stopped' });
    expect(during!.value('tether_runs_in_progress', { state: 'running' })).toBe(1);
    expect(during!.value('tether_runs_in_progress', { state: 'queued' })).toBe(0);
    expect(during!.value('tether_agent_processes', { state: 'busy' })).toBe(1);
    expect(during!.value('tether_viewers')).toBe(1);
    const after = await scrape();
    expect(after.value('tether_runs_ended_total', { ...build, status: 'stopped' }) - before.value('tether_runs_ended_total', { ...build, status: 'stopped' })).toBe(1);
    expect(after.value('tether_agent_processes', { state: 'busy' })).toBe(0);
  });
});
