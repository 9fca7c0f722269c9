/**
 * A database blip loses no transcript, across instances: what one process can't show. Each
 * instance here is a process of its own (tests/fixtures/instance-process.ts: the server's real
 * start-up) with its own data folder, all on one real PostgreSQL behind a TCP relay that the test
 * cuts and restores, with the real SDK and CLI in its sandbox against the scripted Messages API.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { lastUserText, startMessagesApi, type MessagesApi, type MessagesRequest, type Reply } from '@/lib/messages-api/server';
import { startInstance, type Instance } from '@/tests/fixtures/instance-process';
import { scratchPostgres } from '@/tests/fixtures/scratch-services';
import { startTcpRelay, type TcpRelay } from '@/tests/fixtures/tcp-relay';
import type { RunEvent } from '../types';
import { unmountUnder } from '@/lib/mounts';

const root = mkdtempSync(path.join(tmpdir(), 'tether-outage-instances-'));
const visitorId = randomUUID();
const ANSWER = Array.from({ length: 40 }, (_, i) => `word${i + 1}`).join(' ');

/** The follow-up says whether the model was sent the whole earlier answer. */
function script(request: MessagesRequest): Reply {
  if (lastUserText(request).includes('What did you answer')) {
    return { blocks: [{ type: 'text', text: JSON.stringify(request.messages).includes(ANSWER) ? 'I answered all forty words.' : 'I never answered.' }] };
  }
  return { blocks: [{ type: 'text', text: ANSWER }], delayMs: 30 };
}

let scratch: Awaited<ReturnType<typeof scratchPostgres>>;
let relay: TcpRelay;
let api: MessagesApi;
let database: import('@/lib/db').Db;
const running: Instance[] = [];

beforeAll(async () => {
  scratch = await scratchPostgres('tether_instances');
  relay = await startTcpRelay(scratch.url);
  api = await startMessagesApi({ responder: script });
  // The test reads the store directly, not through the relay: it is the judge, not an instance.
  database = await (await import('@/lib/db')).openDb({ kind: 'postgres', url: scratch.url });
});

afterEach(async () => {
  await relay.restore();
  await Promise.all(running.splice(0).map((instance) => instance.kill('SIGKILL')));
});

afterAll(async () => {
  await database?.close();
  await api?.close();
  await relay?.close();
  await scratch?.release();
  unmountUnder(root); // the instances' workspace images: their processes mounted them, not this one
});

/** An instance on its own data folder (a fresh one unless given) and the relayed database. */
async function instance(dataDir = mkdtempSync(path.join(root, 'data-'))): Promise<Instance & { dataDir: string }> {
  const started = await startInstance({
    TETHER_DATA_DIR: dataDir,
    DATABASE_URL: relay.url,
    TETHER_TRANSCRIPTS: 'database',
    ANTHROPIC_API_KEY: 'test-key',
    ANTHROPIC_BASE_URL: api.url,
    TETHER_AGENT_MAX_RETRIES: '0',
    TETHER_BASE_DOMAIN: 'localhost',
    LOG_LEVEL: 'warn',
  });
  running.push(started);
  return { ...started, dataDir };
}

const textOf = (events: RunEvent[]) => events.flatMap((event) => (event.type === 'text' ? [event.text] : [])).join('');

/** Sends a message with the database cut off mid-stream (after 10 of 40 words); resolves at `end`, still cut off. */
async function sendCutMidStream(on: Instance, conversationId: string): Promise<RunEvent[]> {
  let words = 0;
  let cutting: Promise<void> | undefined;
  const events = await on.send({ visitorId, conversationId, text: 'Please answer' }, (event) => {
    if (event.type === 'text' && ++words === 10) cutting = relay.cut();
  });
  await cutting;
  expect(cutting).toBeDefined();
  expect(textOf(events)).toBe(ANSWER);
  expect(events.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
  // The lines written since wait in this instance's queue.
  await vi.waitFor(async () => expect((await on.health()).pending.transcriptLines).toBeGreaterThan(0), { timeout: 10_000, interval: 100 });
  expect(await on.health()).toMatchObject({ status: 'degraded' });
  return events;
}

const sessionOf = async (conversationId: string) =>
  (await database.call<{ sdkSessionId: string | null }>('get_conversation', { p_id: conversationId, p_visitor_id: visitorId, p_workspace: 'instances' })).sdkSessionId!;
const stored = async (conversationId: string) =>
  (await database.call<Array<{ uuid?: string }> | null>('transcript_load', {
    p_conversation_id: conversationId,
    p_project_key: '-workspace',
    p_session_id: await sessionOf(conversationId),
    p_subpath: '',
  })) ?? [];

describe('a database blip, across instances', () => {
  it('a second instance, whose disk never saw the conversation, resumes it after the outage with the whole earlier turn', async () => {
    const first = await instance();
    const conversationId = randomUUID();
    await sendCutMidStream(first, conversationId);
    expect(JSON.stringify(await stored(conversationId))).not.toContain(ANSWER); // the answer waits on the first instance
    await relay.restore();
    await vi.waitFor(async () => expect(await first.health()).toMatchObject({ status: 'ok' }), { timeout: 15_000, interval: 200 });

    const second = await instance();
    const followUp = await second.send({ visitorId, conversationId, text: 'What did you answer?' });
    expect(textOf(followUp)).toBe('I answered all forty words.');
    expect(followUp.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
    // And its history, read from the store on a disk that had none of it, has both turns.
    const view = await second.view({ visitorId, conversationId });
    expect(view.items.filter((item) => item.kind === 'assistant').map((item) => item.text)).toEqual([ANSWER, 'I answered all forty words.']);
  });

  it('an instance killed (SIGKILL) while lines are pending back-fills the store from its disk when it starts again', async () => {
    const killed = await instance();
    const conversationId = randomUUID();
    await sendCutMidStream(killed, conversationId);
    await killed.kill('SIGKILL');
    running.splice(running.indexOf(killed), 1);
    await relay.restore();
    expect(JSON.stringify(await stored(conversationId))).not.toContain(ANSWER); // lost with the process's memory

    const onDisk = readFileSync(path.join(killed.dataDir, 'agents', conversationId, '.claude', 'projects', '-workspace', `${await sessionOf(conversationId)}.jsonl`), 'utf8')
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => JSON.parse(line) as { uuid?: string });
    expect(JSON.stringify(onDisk)).toContain(ANSWER);

    const restarted = await instance(killed.dataDir);
    await vi.waitFor(async () => expect(JSON.stringify(await stored(conversationId))).toContain(ANSWER), { timeout: 15_000, interval: 200 });
    const storedUuids = new Set((await stored(conversationId)).map((entry) => entry.uuid));
    expect(onDisk.filter((entry) => entry.uuid && !storedUuids.has(entry.uuid))).toEqual([]);
    // The run's end was pending too: its viewers saw it complete, and the restart records it so, from its journal.
    await vi.waitFor(async () => {
      const runs = await database.call<Array<{ status: string }>>('list_runs', { p_conversation_id: conversationId });
      expect(runs.map((run) => run.status)).toEqual(['completed']);
    });
    const view = await restarted.view({ visitorId, conversationId });
    expect(view.items.filter((item) => item.kind === 'assistant').map((item) => item.text)).toEqual([ANSWER]);
  });
});
