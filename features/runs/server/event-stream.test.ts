/**
 * Re-attaching to a run's event stream, through the real SSE route over a real socket, with the real SDK and
 * CLI against a scripted fake Messages API. A client that is cut off anywhere — between frames or
 * in the middle of one — and comes back with `after=` / `Last-Event-ID` must end up with exactly
 * the server's events: nothing missing, nothing doubled, in order. (A client that goes away for
 * good is in event-stream-departures.test.ts.)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgentTestEnv } from '@/tests/fixtures/agent-env';
import { startApiServer, until, type ApiServer } from '@/tests/fixtures/api-server';
import { eventOf, listenerCount, readAll, runStreamClient, SseParser, untilEnd, type Connection } from '@/tests/fixtures/run-stream-client';
import { lastUserText, type MessagesApi, type Reply } from '@/lib/messages-api/server';
import type { RunEvent } from '../types';
import type { Run } from './run';

const FUZZ_CHUNKS = Array.from({ length: 1500 }, (_, i) => `t${i} `);
const FUZZ_TEXT = FUZZ_CHUNKS.join('');
const CUTS = 200;
// A seeded generator, so a failing cut pattern can be replayed: FUZZ_SEED=<seed> npx vitest run ...
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-event-stream-'));
let api: MessagesApi;
let runs: typeof import('./run-manager');
let server: ApiServer;
let workspace: import('@/features/workspaces/server').Workspace;
let visitor: { visitorId: string; value: string };
let request: ReturnType<typeof runStreamClient>['request'];
let connect: ReturnType<typeof runStreamClient>['connect'];

function script(request: Parameters<typeof lastUserText>[0]): Reply {
  const prompt = lastUserText(request);
  // Paced so the cuts fall while the run streams even on a loaded machine: once it has ended, a re-attach replays the rest in one chunk, where no cut can fall.
  if (prompt.includes('fuzz')) return { blocks: [{ type: 'text_chunks', chunks: FUZZ_CHUNKS }], delayMs: 5 };
  return { blocks: [{ type: 'text_chunks', chunks: ['Hello', ' there.'] }] };
}

beforeAll(async () => {
  api = await startAgentTestEnv({ responder: script, dataDir });
  workspace = (await import('@/features/workspaces/server')).ensureDemoWorkspace();
  visitor = await (await import('@/features/visitors/server')).issueVisitorCookie({ secure: false, address: '127.0.0.1' });
  runs = await import('./run-manager');
  // Driven through the SSE route itself, over HTTP, exactly as a browser reaches it.
  server = await startApiServer();
  ({ request, connect } = runStreamClient({ server, cookie: visitor.value }));
});

afterAll(async () => {
  await server.close();
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

async function startRun(text: string): Promise<Run> {
  const info = await runs.startRun({ visitorId: visitor.visitorId, workspace, conversationId: randomUUID(), text, model: 'claude-sonnet-4-5', mode: 'plan' });
  return runs.requireRun({ runId: info.id, visitorId: visitor.visitorId, workspace: workspace.name });
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Cut = {
  /** Cut once this many events have been received in all. */
  afterEvents: number;
  /** Between frames, or after only the first bytes of the next chunk (a frame cut in half). */
  where: 'boundary' | 'mid-frame';
  /** The request's AbortController (the socket went away) or the reader (the client gave up). */
  how: 'abort' | 'cancel';
  /** For a mid-frame cut, the share of the chunk the client still got. */
  fraction: number;
  /** How the client comes back. */
  resumeWith: 'after' | 'last-event-id';
};

function planCuts(random: () => number): Cut[] {
  // Event 1 (`start`) is emitted before the CLI even starts, so a cut there is surely live.
  const points = new Set<number>([1]);
  while (points.size < CUTS) points.add(1 + Math.floor(random() * FUZZ_CHUNKS.length));
  return [...points]
    .sort((a, b) => a - b)
    .map((afterEvents) => ({
      afterEvents,
      where: random() < 0.5 ? 'boundary' : 'mid-frame',
      how: random() < 0.5 ? 'abort' : 'cancel',
      fraction: random(),
      resumeWith: random() < 0.7 ? 'after' : 'last-event-id',
    }));
}

async function cut(connection: Connection, how: Cut['how']) {
  if (how === 'abort') connection.controller.abort();
  else await connection.reader.cancel();
}

const textOf = (events: RunEvent[]) => events.flatMap((event) => (event.type === 'text' ? [event.text] : [])).join('');

describe('GET /api/runs/:id/events, re-attached after disconnects', () => {
  let fuzzed: Run | undefined;

  // A generous timeout: the CLI's start-up and the first database create share two cores with other work.
  it(`rebuilds the exact event list after ${CUTS} cuts at random points (seed ${SEED})`, async () => {
    const run = (fuzzed = await startRun('fuzz me'));
    const plan = planCuts(mulberry32(SEED));
    const received: RunEvent[] = [];
    let next = 0; // index into plan
    let liveCuts = 0;
    let connections = 0;
    let ended = false;
    let beforeLastChunk = 0; // events the client had before the chunk that carried `end`

    while (!ended) {
      const lastSeq = received.at(-1)?.seq ?? 0;
      const resumeWith = next > 0 ? plan[next - 1]!.resumeWith : 'after';
      const connection = await connect(resumeWith === 'after' ? { run, after: lastSeq } : { run, lastEventId: lastSeq });
      connections++;
      const parser = new SseParser();
      const firstOfConnection = received.length;
      const planned = plan[next];
      const due = () => planned !== undefined && received.length >= planned.afterEvents;

      while (!ended && !(due() && planned!.where === 'boundary')) {
        const { value, done } = await connection.reader.read();
        // Only after `end` may the server close the stream by itself.
        expect(done, `connection ${connections} closed before the end event (seed ${SEED})`).toBe(false);
        const midFrame = due();
        // A chunk cut short: the client got the first bytes of a frame but not its closing blank line.
        const bytes = midFrame ? value!.subarray(0, Math.max(1, Math.min(value!.length - 1, Math.floor(planned!.fraction * value!.length)))) : value!;
        beforeLastChunk = received.length;
        for (const frame of parser.push(bytes)) {
          const event = eventOf(frame);
          if (!event) continue;
          received.push(event);
          if (event.type === 'end') ended = true;
        }
        if (midFrame) break;
      }

      if (received.length > firstOfConnection) {
        // Each connection picks up right after the last event the client had.
        expect(received[firstOfConnection]!.seq).toBe(firstOfConnection === 0 ? 1 : received[firstOfConnection - 1]!.seq + 1);
      }
      if (ended) {
        // After `end` the server closes the stream: nothing more comes.
        expect((await connection.reader.read()).done).toBe(true);
        break;
      }
      if (run.status === 'running') liveCuts++;
      await cut(connection, planned!.how);
      // The cut connection's subscription goes with its socket: nobody else is attached to this run.
      await until(() => listenerCount(run) === 0, `the subscriber of cut ${next + 1} to go (${planned!.how}, ${planned!.where}; seed ${SEED})`);
      next++;
    }

    // Every cut was made, except those due inside the last chunk (it carried `end`: nothing to cut).
    expect(
      plan.slice(next).every((late) => late.afterEvents > beforeLastChunk),
      `cuts made: ${next} (seed ${SEED})`,
    ).toBe(true);
    expect(next).toBeGreaterThan(CUTS * 0.9);
    expect(liveCuts).toBeGreaterThan(0);
    expect(run.status).toBe('completed');
    expect(received.map((event) => event.seq)).toEqual(run.events.map((_, index) => index + 1));
    expect(received).toEqual(run.events);
    expect(textOf(received)).toBe(FUZZ_TEXT);
    expect(textOf(run.events)).toBe(FUZZ_TEXT);
    expect(listenerCount(run)).toBe(0);
  }, 180_000);

  it('replays a finished run completely from after=0 and from after=k, and Last-Event-ID works like after', async () => {
    const run = fuzzed ?? (await startRun('fuzz again'));
    if (run.status === 'running') await untilEnd(run);
    const all = run.events;
    expect(all.at(-1)).toMatchObject({ type: 'end', status: 'completed' });

    expect(await readAll(await connect({ run, after: 0 }))).toEqual(all);
    expect(await readAll(await connect({ run }))).toEqual(all);
    expect(await readAll(await connect({ run, lastEventId: 0 }))).toEqual(all);
    const random = mulberry32(SEED + 1);
    for (const k of [1, 2, Math.floor(random() * all.length), all.length - 1]) {
      expect(await readAll(await connect({ run, after: k }))).toEqual(all.slice(k));
      expect(await readAll(await connect({ run, lastEventId: k }))).toEqual(all.slice(k));
    }
    // A client that already has everything gets an empty stream that closes.
    expect(await readAll(await connect({ run, after: all.length }))).toEqual([]);
    expect(await readAll(await connect({ run, lastEventId: all.length }))).toEqual([]);
    expect(listenerCount(run)).toBe(0);
  });

  it("answers 404 for another visitor's run", async () => {
    const run = fuzzed ?? (await startRun('hello'));
    const stranger = await (await import('@/features/visitors/server')).issueVisitorCookie({ secure: false, address: '127.0.0.1' });
    const response = await request({ run, after: 0, cookie: stranger.value, signal: new AbortController().signal });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'not_found:run', message: expect.any(String) } });
  });
});
