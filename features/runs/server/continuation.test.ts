/**
 * Runs survive their server, on one instance: SIGTERM drains (the run ends before the process
 * exits; new sends are refused; health says draining), a drain's deadline hands the run over and
 * the next start continues it, and so does the start after a SIGKILL. Each instance is a process
 * of its own with the server's real start-up (tests/fixtures/instance-process.ts) on one data
 * folder (its PGlite and its run journal), with the real SDK and CLI against the scripted API.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { unmountUnder } from '@/lib/mounts';
import { startMessagesApi, type MessagesApi } from '@/lib/messages-api/server';
import { startInstance, type Instance } from '@/tests/fixtures/instance-process';
import { CONTINUATION_PROMPT, CONTINUED_NOTICE } from '@/features/timeline/vocabulary';
import type { AgentMode, RunEvent } from '../types';
import { HANDED_OVER_NOTICE } from './run-finish';
import { continuationScript, EDITS, LONG, SLOW, textOf, WRITE } from '@/tests/fixtures/continuation-script';

const root = mkdtempSync(path.join(tmpdir(), 'tether-continue-'));
const visitorId = randomUUID();
let api: MessagesApi;
const running: Instance[] = [];

beforeAll(async () => {
  api = await startMessagesApi({ responder: continuationScript });
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((instance) => instance.kill('SIGKILL')));
});

afterAll(async () => {
  await api?.close();
  unmountUnder(root); // the instances' workspace images: their processes mounted them
});

/** An instance on `dataDir` (its own PGlite there), started again on the same folder for a restart. */
async function instance(dataDir: string, env: Record<string, string> = {}): Promise<Instance> {
  const started = await startInstance({
    TETHER_DATA_DIR: dataDir,
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

const gone = (instance: Instance) => running.splice(running.indexOf(instance), 1);
const seqs = (events: RunEvent[]) => events.map((event) => event.seq);

/** Sends `text` and kills the instance with `signal` at the answer's first words; resolves with what the viewer saw before the process exited. */
async function sendAndKill(on: Instance, text: string, signal: NodeJS.Signals | 'SIGTERM twice', mode?: AgentMode): Promise<RunEvent[]> {
  const seen: RunEvent[] = [];
  const conversationId = randomUUID();
  const killAt = (event: RunEvent) => (mode === 'ask' ? event.type === 'approval' : event.type === 'text');
  await on
    .send({ visitorId, conversationId, text, mode }, (event) => {
      seen.push(event);
      if (!killAt(event) || seen.filter(killAt).length !== 1) return;
      // An approval waits: a moment later the CLI has written the call to its transcript, as it has for a visitor away for minutes.
      if (mode === 'ask') return void setTimeout(() => void on.kill(signal as NodeJS.Signals), 1000);
      if (signal !== 'SIGTERM twice') return void on.kill(signal);
      void on.kill('SIGTERM');
      setTimeout(() => void on.kill('SIGTERM'), 500); // the drain has begun: this one skips it
    })
    .catch((error: { code?: string }) => expect(error.code).toBe('exited'));
  gone(on);
  return seen;
}

describe('a run survives its server', () => {
  it('SIGTERM drains: the run in progress completes before the process exits, and new work is refused meanwhile', async () => {
    const dataDir = mkdtempSync(path.join(root, 'drain-'));
    const server = await instance(dataDir);
    const conversationId = randomUUID();
    let drained: Promise<unknown> | undefined;
    const events = await server.send({ visitorId, conversationId, text: SLOW }, (event) => {
      if (event.type === 'text' && !drained) {
        void server.kill('SIGTERM');
        // The signal and the next command race: ask until the signal is in.
        drained = vi
          .waitFor(async () => expect(await server.health()).toMatchObject({ status: 'draining' }), { timeout: 5000, interval: 50 })
          .then(async () => [await server.health(), await server.send({ visitorId, conversationId: randomUUID(), text: 'hello' }).catch((error: unknown) => error)]);
      }
    });
    const [health, refused] = (await drained) as [Awaited<ReturnType<Instance['health']>>, { code: string; retryAfterSeconds: number }];
    expect(health).toMatchObject({ httpStatus: 503, status: 'draining' });
    expect(refused).toMatchObject({ code: 'unavailable:draining', retryAfterSeconds: 5 });
    expect(events.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
    expect(textOf(events)).toBe(continuationScript.words(20));
    expect(await server.exited).toBe(0);
    gone(server);
    await vi.waitFor(() => expect(server.announced()).toMatchObject([{ conversationId, status: 'completed' }]));

    // Started again: the whole answer is in the history, and nothing is continued.
    const again = await instance(dataDir);
    const view = await again.view({ visitorId, conversationId });
    expect(view.activeRun).toBeNull();
    expect(view.items.filter((item) => item.kind === 'assistant').map((item) => item.text)).toEqual([continuationScript.words(20)]);
    expect(again.announced()).toEqual([]);
  });

  it.each([
    ['a drain reaches its deadline (TETHER_DRAIN_SECONDS=2)', 'SIGTERM' as const, '2'],
    ['a second SIGTERM skips the drain', 'SIGTERM twice' as const, '600'],
    ['the server is killed (SIGKILL)', 'SIGKILL' as const, '2'],
  ])('%s: the next start continues the same run, numbered on, and it completes with one push', async (_what, signal, drainSeconds) => {
    const dataDir = mkdtempSync(path.join(root, 'restart-'));
    const first = await instance(dataDir, { TETHER_DRAIN_SECONDS: drainSeconds });
    const before = await sendAndKill(first, LONG, signal);
    expect(before.some((event) => event.type === 'end')).toBe(false);
    // Handed over at the deadline, the viewers were told; killed, nobody could tell them.
    expect(before.some((event) => event.type === 'notice' && event.message === HANDED_OVER_NOTICE)).toBe(signal !== 'SIGKILL');
    const runId = (before[0] as Extract<RunEvent, { type: 'start' }>).runId;
    const conversationId = (before[0] as Extract<RunEvent, { type: 'start' }>).conversationId;
    if (signal !== 'SIGKILL') expect(await first.exited).toBe(0);

    const requestsBefore = api.requests.length;
    const second = await instance(dataDir);
    // A viewer re-attaching after the last event it had sees the rest, once, in order.
    const after = await second.follow({ visitorId, runId, after: before.at(-1)!.seq });
    expect(seqs(after)).toEqual(after.map((_, i) => before.at(-1)!.seq + i + 1));
    expect(after[0]).toMatchObject({ type: 'notice', message: CONTINUED_NOTICE });
    expect(textOf(after)).toBe(continuationScript.continued);
    expect(after.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
    // The agent was told what happened, in its own session (the earlier words came along).
    const continued = api.requests.slice(requestsBefore).find((request) => JSON.stringify(request.messages).includes(CONTINUATION_PROMPT));
    expect(JSON.stringify(continued?.messages)).toContain(LONG);
    // One push, at the real end; the first process announced nothing.
    await vi.waitFor(() => expect([...first.announced(), ...second.announced()]).toMatchObject([{ conversationId, status: 'completed' }]));
    const view = await second.view({ visitorId, conversationId });
    expect(view.items.filter((item) => item.kind === 'notice').map((item) => item.text)).toContain(CONTINUED_NOTICE);
    expect(view.items.at(-1)).toMatchObject({ kind: 'run_end', status: 'completed' });
    expect(existsSync(path.join(dataDir, 'run-events', `${runId}.jsonl`))).toBe(false);
  });

  it('a tool call waiting for approval when the server is killed is asked again after it continues, and Allow works', async () => {
    const dataDir = mkdtempSync(path.join(root, 'approval-'));
    const first = await instance(dataDir);
    const before = await sendAndKill(first, WRITE, 'SIGKILL', 'ask');
    const { runId, conversationId } = before[0] as Extract<RunEvent, { type: 'start' }>;
    const asked = before.find((event) => event.type === 'approval')!;

    const second = await instance(dataDir);
    let decided: Promise<unknown> | undefined;
    const after = await second.follow({ visitorId, runId, after: before.at(-1)!.seq }, (event) => {
      if (event.type === 'approval') decided = second.decide({ visitorId, runId, approvalId: event.approvalId });
    });
    await decided;
    // The card its server died waiting on says so; the agent asks again on a new one.
    expect(after.find((event) => event.type === 'approval_decided')).toMatchObject({ approvalId: asked.type === 'approval' && asked.approvalId, by: 'restart' });
    const again = after.find((event) => event.type === 'approval');
    expect(again).toMatchObject({ tool: asked.type === 'approval' && asked.tool, summary: asked.type === 'approval' && asked.summary });
    expect(after.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
    expect(textOf(after)).toContain('Written.');
    // The call that was waiting was not run: the agent saw it interrupted, and asked again.
    expect(continuationScript.sawInterruptedWrite).toBe(true);
    expect(readFileSync(path.join(dataDir, 'workspaces', 'instances', 'files', 'notes.txt'), 'utf8')).toBe('noted\n');
    await vi.waitFor(() => expect([...first.announced(), ...second.announced()]).toMatchObject([{ conversationId, status: 'completed' }]));
  });

  it("the run's Changes cover both halves: what it edited before the restart and after; Undo takes back both", async () => {
    const dataDir = mkdtempSync(path.join(root, 'changes-'));
    const first = await instance(dataDir);
    const before = await sendAndKill(first, EDITS, 'SIGKILL', 'build');
    const { runId } = before[0] as Extract<RunEvent, { type: 'start' }>;
    const second = await instance(dataDir);
    const after = await second.follow({ visitorId, runId, after: before.at(-1)!.seq });
    expect(after.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
    const changes = after.find((event) => event.type === 'changes');
    expect(changes?.type === 'changes' && changes.files.map((file) => [file.path, file.added])).toEqual([
      ['a.txt', 1],
      ['b.txt', 1],
    ]);
    // The before snapshot, taken by the killed process, is the continuation's too.
    expect(await second.undo({ visitorId, runId })).toEqual({ runId, paths: ['a.txt', 'b.txt'] });
    const files = path.join(dataDir, 'workspaces', 'instances', 'files');
    expect([existsSync(path.join(files, 'a.txt')), existsSync(path.join(files, 'b.txt'))]).toEqual([false, false]);
  });

  it('TETHER_CONTINUE_ATTEMPTS=0 keeps the old way: the restart ends the run interrupted', async () => {
    const dataDir = mkdtempSync(path.join(root, 'off-'));
    const first = await instance(dataDir, { TETHER_CONTINUE_ATTEMPTS: '0' });
    const before = await sendAndKill(first, LONG, 'SIGKILL');
    const { conversationId } = before[0] as Extract<RunEvent, { type: 'start' }>;
    const requestsBefore = api.requests.length;
    const second = await instance(dataDir, { TETHER_CONTINUE_ATTEMPTS: '0' });
    const view = await second.view({ visitorId, conversationId });
    expect(view.activeRun).toBeNull();
    expect(view.items.at(-1)).toMatchObject({ kind: 'run_end', status: 'interrupted' });
    expect(api.requests.slice(requestsBefore).some((request) => JSON.stringify(request.messages).includes(CONTINUATION_PROMPT))).toBe(false);
  });
});
