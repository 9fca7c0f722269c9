/**
 * Fair use, on the real Agent SDK and CLI against the scripted API: one visitor's share of runs
 * at once, per hour and conversations per day; per-run time and turn limits; a workspace that
 * narrows models and modes. Every refusal is a 429 with Retry-After (or a 400 for what is not
 * offered); other visitors are unaffected.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastToolResults, lastUserText, type MessagesApi, type Reply } from '@/lib/messages-api/server';
import { eventsUntilEnd, startAgentTestEnv } from '@/tests/fixtures/agent-env';
import type { AgentMode, RunEvent, RunInfo } from '../../runs/types';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-fair-'));
let api: MessagesApi;
let runs: typeof import('../../runs/server/run-manager');
let workspace: import('@/features/workspaces/server').Workspace;
let narrow: import('@/features/workspaces/server').Workspace;

function script(request: Parameters<typeof lastUserText>[0]): Reply {
  if (lastToolResults(request).length > 0) return { blocks: [{ type: 'text', text: 'read it' }] };
  const prompt = lastUserText(request);
  if (prompt.includes('slow')) return { blocks: [{ type: 'text_chunks', chunks: Array.from({ length: 400 }, (_, i) => `w${i} `) }], delayMs: 20 };
  if (prompt.includes('use a tool')) return { blocks: [{ type: 'tool_use', name: 'Glob', input: { pattern: '*' } }] };
  return { blocks: [{ type: 'text', text: 'ok' }] };
}

beforeAll(async () => {
  api = await startAgentTestEnv({
    responder: script,
    dataDir,
    env: {
      TETHER_RUNS_AT_ONCE_PER_VISITOR: '2',
      TETHER_RUNS_PER_VISITOR_PER_HOUR: '5',
      TETHER_CONVERSATIONS_PER_VISITOR_PER_DAY: '3',
      TETHER_RUN_TIME_LIMIT_SECONDS: '3',
      TETHER_MAX_TURNS: '1',
      TETHER_BUDGET_USD_PER_VISITOR_PER_DAY: '0.5',
    },
  });
  const workspaces = await import('@/features/workspaces/server');
  workspace = workspaces.createWorkspace({ name: 'fair' });
  narrow = workspaces.createWorkspace({ name: 'narrow', config: { models: ['claude-haiku-4-5'], modes: ['plan'] } });
  runs = await import('../../runs/server/run-manager');
});

afterAll(async () => {
  (await import('../../agents/server/agent-pool')).closeAllProcesses();
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

function start({
  visitorId,
  conversationId = randomUUID(),
  text = 'hello',
  mode = 'build',
  model = 'claude-sonnet-4-5',
  where = workspace,
}: {
  visitorId: string;
  conversationId?: string;
  text?: string;
  mode?: AgentMode;
  model?: string;
  where?: typeof workspace;
}) {
  return runs.startRun({ visitorId, workspace: where, conversationId, text, model, mode });
}

function events(info: RunInfo, visitorId: string): Promise<RunEvent[]> {
  const run = runs.requireRun({ runId: info.id, visitorId, workspace: workspace.name });
  return eventsUntilEnd(run);
}

const endOf = (list: RunEvent[]) => list.at(-1) as Extract<RunEvent, { type: 'end' }>;

describe('per-visitor limits', () => {
  it("refuses a visitor's third run at once with 429 and Retry-After, while another visitor starts fine", async () => {
    const busy = randomUUID();
    const first = await start({ visitorId: busy, text: 'slow one' });
    const second = await start({ visitorId: busy, text: 'slow two' });
    await expect(start({ visitorId: busy })).rejects.toMatchObject({ status: 429, code: 'rate_limited:runs_at_once', retryAfterSeconds: expect.any(Number) });
    const other = randomUUID();
    expect(endOf(await events(await start({ visitorId: other }), other)).status).toBe('completed');
    for (const info of [first, second]) await runs.stopRun(runs.requireRun({ runId: info.id, visitorId: busy, workspace: 'fair' }));
  });

  it("caps a visitor's runs per hour", async () => {
    const visitorId = randomUUID();
    const conversationId = randomUUID();
    for (let i = 0; i < 5; i++) await events(await start({ visitorId, conversationId }), visitorId);
    await expect(start({ visitorId, conversationId })).rejects.toMatchObject({ status: 429, code: 'rate_limited:runs_per_hour', message: expect.stringContaining('in the last hour') });
  });

  it('caps the conversations a visitor starts per day, and lets them go on in the ones they have', async () => {
    const visitorId = randomUUID();
    const conversations = [randomUUID(), randomUUID(), randomUUID()];
    for (const conversationId of conversations) await events(await start({ visitorId, conversationId }), visitorId);
    await expect(start({ visitorId })).rejects.toMatchObject({ status: 429, code: 'rate_limited:conversations_per_day' });
    expect(endOf(await events(await start({ visitorId, conversationId: conversations[0] }), visitorId)).status).toBe('completed');
  });
});

describe('daily budgets', () => {
  it("refuses a new send with 429 and Retry-After once the visitor's daily budget is spent, before any run starts", async () => {
    const { chargeSpend } = await import('@/features/limits/server');
    const visitorId = randomUUID();
    const conversationId = randomUUID();
    expect(endOf(await events(await start({ visitorId, conversationId }), visitorId)).status).toBe('completed');
    const used = await chargeSpend({ visitorId, workspace: 'fair', usd: 0.75 });
    expect(used).toMatchObject({ code: 'rate_limited:budget_visitor', message: expect.stringContaining("You have used today's budget ($0.50). It frees up in") });
    await expect(start({ visitorId, conversationId })).rejects.toMatchObject({ status: 429, code: 'rate_limited:budget_visitor', retryAfterSeconds: used!.retryAfterSeconds });
    await expect(start({ visitorId })).rejects.toMatchObject({ status: 429, code: 'rate_limited:budget_visitor' });
    const other = randomUUID();
    expect(endOf(await events(await start({ visitorId: other }), other)).status).toBe('completed');
  });
});

describe('per-run limits', () => {
  it('ends a run that passes the time limit as failed, with a clear message', async () => {
    const visitorId = randomUUID();
    const list = await events(await start({ visitorId, text: 'slow answer' }), visitorId);
    expect(endOf(list).status).toBe('failed');
    expect(list.find((event) => event.type === 'error')).toMatchObject({ code: 'limit:run_time', message: expect.stringContaining('time limit of 3 s') });
  });

  it('ends a run that passes the turn limit as failed, with a clear message', async () => {
    const visitorId = randomUUID();
    const list = await events(await start({ visitorId, text: 'use a tool' }), visitorId);
    expect(endOf(list).status).toBe('failed');
    expect(list.find((event) => event.type === 'error')).toMatchObject({ code: 'limit:turns' });
  });

  it("refuses models and modes the workspace doesn't offer", async () => {
    const visitorId = randomUUID();
    await expect(start({ visitorId, where: narrow, mode: 'plan' })).rejects.toMatchObject({ status: 400, code: 'bad_request:unknown_model', message: expect.stringContaining('claude-haiku-4-5') });
    await expect(start({ visitorId, where: narrow, model: 'claude-haiku-4-5' })).rejects.toMatchObject({ status: 400, code: 'bad_request:mode_not_offered' });
    const allowed = await start({ visitorId, where: narrow, model: 'claude-haiku-4-5', mode: 'plan' });
    expect(allowed.status).toBe('running');
  });
});
