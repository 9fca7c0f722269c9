/**
 * A run's event stream under abuse: a viewer that never reads is dropped once its backlog passes
 * the cap (it would re-attach with Last-Event-ID), and the open streams per run and per visitor
 * are capped. Runs here are driven by hand: no agent is needed to produce events.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Run } from './run';

let stream: typeof import('./event-stream');
let RunClass: typeof import('./run').Run;

beforeAll(async () => {
  Object.assign(process.env, {
    TETHER_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tether-stream-limits-')),
    LOG_LEVEL: 'warn',
    TETHER_VIEWERS_PER_RUN: '3',
    TETHER_VIEWERS_PER_VISITOR: '4',
  });
  stream = await import('./event-stream');
  ({ Run: RunClass } = await import('./run'));
});

const newRun = (visitorId = randomUUID()) => new RunClass(randomUUID(), randomUUID(), visitorId, 'demo', 'claude-sonnet-4-5', 'plan');
const listenerCount = (run: Run) => (run as unknown as { listeners: Set<unknown> }).listeners.size;
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('a viewer that does not read', () => {
  it('is dropped once its backlog passes the cap, and leaves nothing subscribed', async () => {
    const run = newRun();
    const reader = stream.runEventStream({ run, visitorId: run.visitorId, after: 0, signal: new AbortController().signal }).body!.getReader();
    const chunk = 'x'.repeat(16 * 1024);
    let emitted = 0;
    while (listenerCount(run) > 0 && emitted < 4 * stream.MAX_VIEWER_BACKLOG_BYTES) {
      run.emit({ type: 'text', text: chunk });
      emitted += chunk.length;
      await tick(); // let the stream flush
    }
    expect(listenerCount(run)).toBe(0);
    // Dropped after about the cap, not after everything was queued.
    expect(emitted).toBeLessThan(stream.MAX_VIEWER_BACKLOG_BYTES + 256 * 1024);
    await expect(reader.read()).rejects.toThrow('viewer too far behind');
  });

  it('is not dropped while it keeps reading', async () => {
    const run = newRun();
    const reader = stream.runEventStream({ run, visitorId: run.visitorId, after: 0, signal: new AbortController().signal }).body!.getReader();
    let received = 0;
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        received += value.byteLength;
      }
    })();
    for (let i = 0; i < 200; i++) {
      run.emit({ type: 'text', text: 'y'.repeat(16 * 1024) });
      await tick();
    }
    run.emit({ type: 'end', status: 'completed', model: 'm', mode: 'plan', costUsd: null, inputTokens: null, outputTokens: null, durationMs: 1 });
    await reading;
    expect(received).toBeGreaterThan(200 * 16 * 1024);
  });
});

describe('viewer caps', () => {
  it('caps the open streams of one run, and frees a place when one closes', () => {
    const run = newRun();
    const viewers = Array.from({ length: 3 }, () => new AbortController());
    for (const viewer of viewers) stream.runEventStream({ run, visitorId: run.visitorId, after: 0, signal: viewer.signal });
    expect(() => stream.runEventStream({ run, visitorId: run.visitorId, after: 0, signal: new AbortController().signal })).toThrow(
      expect.objectContaining({ status: 429, code: 'rate_limited:viewers' }),
    );
    viewers[0]!.abort();
    expect(() => stream.runEventStream({ run, visitorId: run.visitorId, after: 0, signal: new AbortController().signal })).not.toThrow();
  });

  it("caps one visitor's open streams across runs; other visitors are unaffected", () => {
    const visitorId = randomUUID();
    const open = (run: Run, visitor = visitorId) => stream.runEventStream({ run, visitorId: visitor, after: 0, signal: new AbortController().signal });
    for (let i = 0; i < 4; i++) open(newRun(visitorId));
    expect(() => open(newRun(visitorId))).toThrow(expect.objectContaining({ code: 'rate_limited:viewers' }));
    const stranger = randomUUID();
    expect(() => open(newRun(stranger), stranger)).not.toThrow();
  });
});
