/**
 * Capacity and warm processes with the real SDK + CLI against the scripted fake API, on a
 * deliberately small instance: one agent process, one waiting place, a 2-second idle time.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgentTestEnv } from '@/tests/fixtures/agent-env';
import { lastUserText, type MessagesApi } from '@/lib/messages-api/server';
import type { RunEvent, RunInfo } from '../../runs/types';

let api: MessagesApi;
let runs: typeof import('../../runs/server/run-manager');
let pool: typeof import('./agent-pool');
let workspace: import('@/features/workspaces/server').Workspace;
const visitorId = randomUUID();

beforeAll(async () => {
  api = await startAgentTestEnv({
    responder: (request) =>
      lastUserText(request).includes('slow')
        ? { blocks: [{ type: 'text_chunks', chunks: Array.from({ length: 400 }, (_, i) => `w${i} `) }], delayMs: 25 }
        : { blocks: [{ type: 'text', text: 'Quick answer.' }] },
    dataDir: mkdtempSync(path.join(tmpdir(), 'tether-pool-')),
    env: { TETHER_MAX_AGENT_PROCESSES: '1', TETHER_RUN_QUEUE_LIMIT: '1', TETHER_WARM_IDLE_SECONDS: '2', TETHER_RUNS_AT_ONCE_PER_VISITOR: '10' },
  });
  workspace = (await import('@/features/workspaces/server')).createWorkspace({ name: 'pool' });
  runs = await import('../../runs/server/run-manager');
  pool = await import('./agent-pool');
});

afterAll(async () => {
  pool.closeAllProcesses();
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

const start = (text: string, conversationId: string = randomUUID()) => runs.startRun({ visitorId, workspace, conversationId, text, model: 'claude-sonnet-4-5', mode: 'plan' });
const runOf = (info: RunInfo) => runs.requireRun({ runId: info.id, visitorId, workspace: 'pool' });
const until = (info: RunInfo, test: (event: RunEvent) => boolean) => new Promise<RunEvent>((resolve) => runOf(info).subscribe(0, (event) => test(event) && resolve(event)));
const ended = (info: RunInfo) => until(info, (event) => event.type === 'end') as Promise<Extract<RunEvent, { type: 'end' }>>;

describe('agent processes', () => {
  it('keeps a conversation warm: the follow-up reuses the same process', async () => {
    const first = await start('hello');
    await until(first, (event) => event.type === 'text');
    const process = runOf(first).process;
    expect((await ended(first)).status).toBe('completed');
    expect(pool.poolStats()).toEqual({ processes: 1, busy: 0, waiting: 0 });

    const second = await start('hello again', first.conversationId);
    await until(second, (event) => event.type === 'text');
    expect(runOf(second).process).toBe(process);
    const end = await ended(second);
    expect(end.status).toBe('completed');
    // Each run reports its own cost, though the process's total adds up over its turns.
    expect(end.costUsd).toBeGreaterThan(0);
    expect(end.costUsd).toBeLessThan(2 * (runOf(first).events.at(-1) as { costUsd: number }).costUsd);
  });

  it('reclaims an idle warm process after the idle time', async () => {
    await ended(await start('hello'));
    expect(pool.poolStats().processes).toBe(1);
    await expect.poll(() => pool.poolStats().processes, { timeout: 10_000, interval: 200 }).toBe(0);
  });

  it("gives an idle warm process's slot to another conversation that needs one", async () => {
    const warm = await start('hello');
    await ended(warm);
    const warmProcess = pool.poolStats();
    expect(warmProcess).toMatchObject({ processes: 1, busy: 0 });
    const other = await start('hello from elsewhere');
    const events: RunEvent[] = [];
    runOf(other).subscribe(0, (event) => events.push(event));
    expect((await ended(other)).status).toBe('completed');
    expect(events.some((event) => event.type === 'queue')).toBe(false);
  });

  it('queues a run when every slot is busy, reports its position, and refuses past the queue limit with 429', async () => {
    const busy = await start('slow one');
    await until(busy, (event) => event.type === 'text');
    const queued = await start('queued one');
    expect(await until(queued, (event) => event.type === 'queue')).toMatchObject({ position: 1 });
    await expect(start('one too many')).rejects.toMatchObject({ code: 'rate_limited:capacity', status: 429, retryAfterSeconds: 15 });

    await runs.stopRun(runOf(busy));
    expect((await ended(busy)).status).toBe('stopped');
    expect(await until(queued, (event) => event.type === 'queue' && event.position === 0)).toBeTruthy();
    expect((await ended(queued)).status).toBe('completed');
    expect(pool.poolStats().waiting).toBe(0);
  });

  it('stopping a waiting run takes it out of the queue without starting it', async () => {
    const busy = await start('slow two');
    await until(busy, (event) => event.type === 'text');
    const queued = await start('never runs');
    await until(queued, (event) => event.type === 'queue');
    await runs.stopRun(runOf(queued));
    const end = await ended(queued);
    expect(end.status).toBe('stopped');
    expect(runOf(queued).events.some((event) => event.type === 'text')).toBe(false);
    expect(pool.poolStats().waiting).toBe(0);
    await runs.stopRun(runOf(busy));
    await ended(busy);
  });
});
