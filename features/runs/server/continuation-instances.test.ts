/**
 * Runs survive their server, across instances: two processes with the server's real start-up
 * (tests/fixtures/instance-process.ts), each on its own data folder, on one real PostgreSQL and
 * one Redis, transcripts in the database. When one is killed mid-run, the other takes the run over
 * after the heartbeat's stale time and continues it; a viewer on the live one sees every event once,
 * in order, and one push goes out. A Stop pressed while the run's server is gone wins.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { unmountUnder } from '@/lib/mounts';
import { startMessagesApi, type MessagesApi } from '@/lib/messages-api/server';
import { startInstance, type Instance } from '@/tests/fixtures/instance-process';
import { scratchPostgres, scratchRedis } from '@/tests/fixtures/scratch-services';
import { continuationScript, LONG, textOf } from '@/tests/fixtures/continuation-script';
import { CONTINUATION_PROMPT, CONTINUED_NOTICE } from '@/features/timeline/vocabulary';
import type { RunEvent } from '../types';
import { HANDED_OVER_NOTICE } from './run-finish';

const root = mkdtempSync(path.join(tmpdir(), 'tether-continue-instances-'));
const visitorId = randomUUID();
const STALE_SECONDS = 3;
let api: MessagesApi;
let postgres: Awaited<ReturnType<typeof scratchPostgres>>;
let redisDb: Awaited<ReturnType<typeof scratchRedis>>;
const running: Instance[] = [];

beforeAll(async () => {
  postgres = await scratchPostgres('tether_continue');
  redisDb = await scratchRedis();
  api = await startMessagesApi({ responder: continuationScript });
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((instance) => instance.kill('SIGKILL')));
});

afterAll(async () => {
  await api?.close();
  await redisDb?.release();
  await postgres?.release();
  unmountUnder(root);
});

async function instance(env: Record<string, string> = {}): Promise<Instance> {
  const started = await startInstance({
    TETHER_DATA_DIR: mkdtempSync(path.join(root, 'data-')),
    DATABASE_URL: postgres.url,
    REDIS_URL: redisDb.url,
    TETHER_TRANSCRIPTS: 'database',
    TETHER_INSTANCE_STALE_SECONDS: String(STALE_SECONDS),
    ANTHROPIC_API_KEY: 'test-key',
    ANTHROPIC_BASE_URL: api.url,
    TETHER_AGENT_MAX_RETRIES: '0',
    TETHER_BASE_DOMAIN: 'localhost',
    LOG_LEVEL: 'warn',
    ...env,
  });
  running.push(started);
  return started;
}

/** Starts LONG on `owner`, with a viewer on `viewer` following it from the first event; resolves once the viewer saw the answer begin. */
async function runWatchedElsewhere(owner: Instance, viewer: Instance) {
  const conversationId = randomUUID();
  let started!: (event: Extract<RunEvent, { type: 'start' }>) => void;
  const start = new Promise<Extract<RunEvent, { type: 'start' }>>((resolve) => (started = resolve));
  void owner.send({ visitorId, conversationId, text: LONG }, (event) => event.type === 'start' && started(event)).catch(() => {});
  const { runId } = await start;
  let answering!: () => void;
  const begun = new Promise<void>((resolve) => (answering = resolve));
  const watched = viewer.follow({ visitorId, runId, after: 0 }, (event) => event.type === 'text' && answering());
  await begun;
  return { conversationId, runId, watched };
}

describe('a run survives its instance', () => {
  it('killed on A, the run is continued by B within the stale time; B’s viewer sees every event once, in order, and one push goes out', async () => {
    const [a, b] = [await instance(), await instance()];
    const { conversationId, watched } = await runWatchedElsewhere(a, b);
    await a.kill('SIGKILL');
    const events = await watched;
    expect(events.map((event) => event.seq)).toEqual(events.map((_, i) => i + 1));
    const continued = events.findIndex((event) => event.type === 'notice' && event.message === CONTINUED_NOTICE);
    expect(continued).toBeGreaterThan(0);
    expect(events.slice(0, continued).some((event) => event.type === 'text')).toBe(true);
    expect(textOf(events.slice(continued))).toBe(continuationScript.continued);
    expect(events.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
    await vi.waitFor(() => expect([...a.announced(), ...b.announced()]).toMatchObject([{ conversationId, status: 'completed' }]));
    // B resumed A's session from the store, told what happened.
    expect(api.requests.some((request) => JSON.stringify(request.messages).includes(CONTINUATION_PROMPT) && JSON.stringify(request.messages).includes(LONG))).toBe(true);
    const view = await b.view({ visitorId, conversationId });
    expect(view.items.at(-1)).toMatchObject({ kind: 'run_end', status: 'completed' });
  });

  it('drained past its deadline, A hands the run over and leaves; B continues it, and its viewer is told both', async () => {
    const [a, b] = [await instance({ TETHER_DRAIN_SECONDS: '1' }), await instance()];
    const { conversationId, watched } = await runWatchedElsewhere(a, b);
    expect(await a.kill('SIGTERM')).toBe(0);
    const events = await watched;
    expect(events.map((event) => event.seq)).toEqual(events.map((_, i) => i + 1));
    const notices = events.flatMap((event) => (event.type === 'notice' ? [event.message] : []));
    expect(notices).toEqual([HANDED_OVER_NOTICE, CONTINUED_NOTICE]);
    expect(events.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
    await vi.waitFor(() => expect([...a.announced(), ...b.announced()]).toMatchObject([{ conversationId, status: 'completed' }]));
  });

  it('a Stop pressed while the run’s server is gone wins: the run ends stopped, and is not continued', async () => {
    const [a, b] = [await instance({ TETHER_INSTANCE_STALE_SECONDS: '8' }), await instance({ TETHER_INSTANCE_STALE_SECONDS: '8' })];
    const { conversationId, runId, watched } = await runWatchedElsewhere(a, b);
    await a.kill('SIGKILL');
    await b.stop({ visitorId, runId });
    const requestsBefore = api.requests.length;
    const events = await watched;
    expect(events.at(-1)).toMatchObject({ type: 'end', status: 'stopped' });
    expect(events.some((event) => event.type === 'notice' && event.message === CONTINUED_NOTICE)).toBe(false);
    expect(api.requests.slice(requestsBefore).some((request) => JSON.stringify(request.messages).includes(CONTINUATION_PROMPT))).toBe(false);
    await vi.waitFor(() => expect([...a.announced(), ...b.announced()]).toMatchObject([{ conversationId, status: 'stopped' }]));
  });
});
