/**
 * A run's event stream under abuse: a viewer that never reads is cut off once its backlog on the
 * server passes the cap (it would re-attach with Last-Event-ID), and the open streams per run and
 * per visitor are capped. Runs here are driven by hand (no agent is needed to produce events);
 * the viewers are real HTTP clients of a real server.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '@/tests/fixtures/api-server';
import { startViewerServer } from '@/tests/fixtures/viewer-server';
import type { Run } from './run';

let stream: typeof import('../../timeline/server/event-stream');
let RunClass: typeof import('./run').Run;
let viewers: Awaited<ReturnType<typeof startViewerServer>>;

beforeAll(async () => {
  Object.assign(process.env, {
    TETHER_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tether-stream-limits-')),
    LOG_LEVEL: 'warn',
    TETHER_VIEWERS_PER_RUN: '3',
    TETHER_VIEWERS_PER_VISITOR: '4',
  });
  stream = await import('../../timeline/server/event-stream');
  ({ Run: RunClass } = await import('./run'));
  viewers = await startViewerServer();
});

afterAll(() => viewers.close());

const newRun = (visitorId = randomUUID()) => new RunClass(randomUUID(), randomUUID(), visitorId, 'demo', 'claude-sonnet-4-5', 'plan');
const listenerCount = (run: Run) => (run as unknown as { listeners: Set<unknown> }).listeners.size;
const tick = () => new Promise((resolve) => setImmediate(resolve));

const view = (run: Run, visitorId = run.visitorId) => viewers.view(run, { visitorId });

describe('a viewer that does not read', () => {
  it('is cut off once its backlog on the server passes the cap, and leaves nothing subscribed', async () => {
    const run = newRun();
    const { res, client } = await view(run);
    const chunk = 'x'.repeat(16 * 1024);
    let emitted = 0;
    let largestBacklog = 0;
    while (listenerCount(run) > 0 && emitted < 64 * stream.MAX_VIEWER_BACKLOG_BYTES) {
      run.emit({ type: 'text', text: chunk });
      emitted += chunk.length;
      await tick(); // let the stream flush
      largestBacklog = Math.max(largestBacklog, res.writableLength);
    }
    expect(listenerCount(run)).toBe(0);
    // The server never held much more than the cap for it (the kernel's socket buffers hold the rest).
    expect(largestBacklog).toBeLessThanOrEqual(stream.MAX_VIEWER_BACKLOG_BYTES + 2 * chunk.length);
    expect(res.destroyed).toBe(true);
    client.resume();
    await until(() => client.destroyed || client.complete, 'the client to see the cut');
    expect(client.complete).toBe(false); // cut off, not ended: EventSource reconnects with Last-Event-ID
  });

  it('is not cut off while it keeps reading', async () => {
    const run = newRun();
    const { client } = await view(run);
    let received = 0;
    client.on('data', (bytes: Buffer) => (received += bytes.byteLength));
    const ended = new Promise((resolve) => client.on('end', resolve));
    client.resume();
    for (let i = 0; i < 200; i++) {
      run.emit({ type: 'text', text: 'y'.repeat(16 * 1024) });
      await tick();
    }
    run.emit({ type: 'end', status: 'completed', model: 'm', mode: 'plan', costUsd: null, inputTokens: null, outputTokens: null, durationMs: 1 });
    await ended;
    expect(received).toBeGreaterThan(200 * 16 * 1024);
  });
});

describe('viewer caps', () => {
  it('caps the open streams of one run, and frees a place when one closes', async () => {
    const run = newRun();
    const viewers = [await view(run), await view(run), await view(run)];
    expect(viewers.map(({ client }) => client.statusCode)).toEqual([200, 200, 200]);
    expect((await view(run)).client.statusCode).toBe(429);
    viewers[0]!.abort();
    await until(() => listenerCount(run) === 2, 'the closed viewer to go');
    expect((await view(run)).client.statusCode).toBe(200);
  });

  it("caps one visitor's open streams across runs; other visitors are unaffected", async () => {
    const visitorId = randomUUID();
    for (let i = 0; i < 4; i++) expect((await view(newRun(visitorId), visitorId)).client.statusCode).toBe(200);
    expect((await view(newRun(visitorId), visitorId)).client.statusCode).toBe(429);
    const stranger = randomUUID();
    expect((await view(newRun(stranger), stranger)).client.statusCode).toBe(200);
  });
});
