/**
 * A client that goes away from a run's event stream, through the real SSE route over a real
 * socket, with the real SDK and CLI against a scripted fake Messages API: whether it aborts its
 * request, cancels its reader, or leaves before any answer, it must leave no subscriber behind.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgentTestEnv } from '@/tests/fixtures/agent-env';
import { startApiServer, until, type ApiServer } from '@/tests/fixtures/api-server';
import { eventOf, listenerCount, readAll, runStreamClient, SseParser, untilEnd } from '@/tests/fixtures/run-stream-client';
import type { MessagesApi, Reply } from '@/lib/messages-api/server';
import type { RunEvent } from '../types';
import type { Run } from './run';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-event-stream-departures-'));
let api: MessagesApi;
let runs: typeof import('./run-manager');
let server: ApiServer;
let workspace: import('@/features/workspaces/server').Workspace;
let visitor: { visitorId: string; value: string };
let request: ReturnType<typeof runStreamClient>['request'];
let connect: ReturnType<typeof runStreamClient>['connect'];

// Slow enough that every client is attached while the run really streams.
const script = (): Reply => ({ blocks: [{ type: 'text_chunks', chunks: Array.from({ length: 600 }, (_, i) => `s${i} `) }], delayMs: 20 });

beforeAll(async () => {
  api = await startAgentTestEnv({ responder: script, dataDir });
  workspace = (await import('@/features/workspaces/server')).ensureDemoWorkspace();
  visitor = await (await import('@/features/visitors/server')).issueVisitorCookie({ secure: false, address: '127.0.0.1' });
  runs = await import('./run-manager');
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

describe('a client that goes away', () => {
  it('leaves no subscriber behind, whether the request is aborted or the reader cancelled', async () => {
    const run = await startRun('slow please');
    const ended = untilEnd(run);
    const base = listenerCount(run);

    const aborted = await connect({ run, after: 0 });
    const cancelled = await connect({ run, after: 0 });
    const staying = await connect({ run, after: 0 });
    expect(listenerCount(run)).toBe(base + 3);

    // Wait for live text, so each client is attached to a run that is really streaming.
    const parser = new SseParser();
    const seen: RunEvent[] = [];
    while (!seen.some((event) => event.type === 'text')) {
      const { value, done } = await staying.reader.read();
      expect(done).toBe(false);
      for (const frame of parser.push(value!)) {
        const event = eventOf(frame);
        if (event) seen.push(event);
      }
    }
    expect(run.status).toBe('running');

    aborted.controller.abort();
    await until(() => listenerCount(run) === base + 2, 'the aborted viewer to go');
    await cancelled.reader.cancel();
    await until(() => listenerCount(run) === base + 1, 'the cancelled viewer to go');

    await runs.stopRun(run);
    const rest = await readAll(staying);
    await ended;
    expect([...seen, ...rest]).toEqual(run.events);
    expect(rest.at(-1)).toMatchObject({ type: 'end', status: 'stopped' });
    // The stream that saw `end` closed itself and unsubscribed.
    expect(listenerCount(run)).toBe(0);
  });

  it('leaves no subscriber behind when it was gone before the answer reached it', async () => {
    const run = await startRun('slow please');
    const ended = untilEnd(run);
    const base = listenerCount(run);
    const gone = new AbortController();
    const response = request({ run, after: 0, signal: gone.signal });
    gone.abort(); // the request is on its way; its socket closes before any answer arrives
    await expect(response).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 200)); // time for the server to have seen it and answered
    await until(() => listenerCount(run) === base, 'the departed viewer to go');
    await runs.stopRun(run);
    await ended;
  });
});
