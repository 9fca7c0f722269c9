/**
 * followRun's connection handling, against a scripted event stream and fake timers: a silent
 * connection is replaced, heartbeats count as life, and offline waits for the network.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunEvent } from '../events';
import { followRun, type ConnectionState } from './follow-run';

type Connection = { url: string; send: (text: string) => void; close: () => void; aborted: boolean };

let connections: Connection[];
let network: EventTarget;
let online: boolean;
let page: EventTarget & { visibilityState: DocumentVisibilityState };

// The follower loads its event parser lazily (zod stays out of the page's first load); loaded
// here first, with real timers, so the fake clock below never races that import.
beforeAll(() => import('../events'));

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
  vi.spyOn(Math, 'random').mockReturnValue(0);
  connections = [];
  online = true;
  network = new EventTarget();
  vi.stubGlobal('window', network);
  page = Object.assign(new EventTarget(), { visibilityState: 'visible' as DocumentVisibilityState });
  vi.stubGlobal('document', page);
  vi.stubGlobal('navigator', {
    get onLine() {
      return online;
    },
  });
  // The server's side of each request: a stream the test writes SSE text into.
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    const encoder = new TextEncoder();
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
    const connection: Connection = {
      url,
      send: (text) => controller.enqueue(encoder.encode(text)),
      close: () => controller.close(),
      aborted: false,
    };
    init.signal?.addEventListener('abort', () => {
      connection.aborted = true;
      controller.error(new DOMException('The operation was aborted.', 'AbortError'));
    });
    connections.push(connection);
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const text = (seq: number): RunEvent => ({ type: 'text', text: `${seq} `, seq });
const end = (seq: number): RunEvent => ({
  type: 'end',
  status: 'completed',
  model: 'm',
  mode: 'build',
  costUsd: null,
  inputTokens: null,
  outputTokens: null,
  durationMs: 1,
  seq,
});
const frame = (event: RunEvent) => `id: ${event.seq}\nevent: run\ndata: ${JSON.stringify(event)}\n\n`;

function follow(after = 0) {
  const controller = new AbortController();
  const events: number[] = [];
  const states: ConnectionState[] = [];
  const outcome = followRun({
    url: ({ after, visible }) => `/api/runs/run-1/events?after=${after}&visible=${visible ? 1 : 0}`,
    after,
    signal: controller.signal,
    onEvent: (event) => events.push(event.seq),
    onConnection: (state) => states.push(state),
  });
  return { outcome, events, states, abort: () => controller.abort() };
}

const settle = () => vi.advanceTimersByTimeAsync(0);
const goOffline = () => {
  online = false;
  network.dispatchEvent(new Event('offline'));
};
const setVisibility = (state: DocumentVisibilityState) => {
  page.visibilityState = state;
  page.dispatchEvent(new Event('visibilitychange'));
};
const goOnline = () => {
  online = true;
  network.dispatchEvent(new Event('online'));
};

describe('followRun', () => {
  it('drops a connection that falls silent, reconnects and resumes after the last event', async () => {
    const run = follow();
    await settle();
    connections[0]!.send(': ok\n\n' + frame(text(1)));
    await settle();
    expect(run.states).toEqual(['live']);

    // Not even a heartbeat for two heartbeat intervals: the connection is dead.
    await vi.advanceTimersByTimeAsync(29_000);
    expect(connections).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(connections[0]!.aborted).toBe(true);
    expect(run.states).toEqual(['live', 'reconnecting']);

    await vi.advanceTimersByTimeAsync(250); // the first backoff step, with no jitter
    expect(connections.map((c) => c.url)).toEqual(['/api/runs/run-1/events?after=0&visible=1', '/api/runs/run-1/events?after=1&visible=1']);
    connections[1]!.send(': ok\n\n' + frame(text(2)) + frame(end(3)));
    expect(await run.outcome).toBe('ended');
    expect(run.events).toEqual([1, 2, 3]);
    expect(run.states).toEqual(['live', 'reconnecting', 'live']);
  });

  it('counts heartbeats as life: a quiet run keeps its one connection', async () => {
    const run = follow();
    await settle();
    connections[0]!.send(': ok\n\n');
    for (let i = 0; i < 8; i++) {
      await vi.advanceTimersByTimeAsync(15_000);
      connections[0]!.send(': heartbeat\n\n');
    }
    await settle();
    expect(connections).toHaveLength(1);
    expect(connections[0]!.aborted).toBe(false);
    connections[0]!.send(frame(end(1)));
    expect(await run.outcome).toBe('ended');
    expect(run.states).toEqual(['live']);
  });

  it('backs off exponentially, capped, while the server keeps dropping the connection', async () => {
    const run = follow();
    const delays: number[] = [];
    for (let attempt = 0; attempt < 7; attempt++) {
      await settle();
      const before = connections.length;
      connections.at(-1)!.close();
      let waited = 0;
      while (connections.length === before) {
        await vi.advanceTimersByTimeAsync(50);
        waited += 50;
      }
      delays.push(waited);
    }
    // Random jitter stubbed to its minimum: half of 500 ms × 2^n, at most half of 10 s.
    expect(delays).toEqual([250, 500, 1_000, 2_000, 4_000, 5_000, 5_000]);
    run.abort();
    expect(await run.outcome).toBe('aborted');
    expect(run.states.slice(0, 4)).toEqual(['live', 'reconnecting', 'live', 'reconnecting']);
  });

  it('waits while offline without trying, and reconnects at once when back online', async () => {
    online = false;
    const run = follow(4);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(connections).toHaveLength(0);
    expect(run.states).toEqual(['offline']);

    goOnline();
    await settle();
    expect(connections.map((c) => c.url)).toEqual(['/api/runs/run-1/events?after=4&visible=1']);
    connections[0]!.send(': ok\n\n' + frame(text(5)));
    await settle();
    expect(run.states).toEqual(['offline', 'live']);

    // Losing the network mid-stream drops the connection; coming back resumes with no backoff.
    goOffline();
    await settle();
    expect(connections[0]!.aborted).toBe(true);
    expect(run.states).toEqual(['offline', 'live', 'offline']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(connections).toHaveLength(1);
    goOnline();
    await settle();
    expect(connections[1]!.url).toBe('/api/runs/run-1/events?after=5&visible=1');
    connections[1]!.send(': ok\n\n' + frame(end(6)));
    expect(await run.outcome).toBe('ended');
    expect(run.events).toEqual([5, 6]);
    expect(run.states).toEqual(['offline', 'live', 'offline', 'live']);
  });

  it('stops on abort, mid-stream or mid-backoff, and reports nothing more', async () => {
    const live = follow();
    await settle();
    connections[0]!.send(': ok\n\n');
    await settle();
    live.abort();
    expect(await live.outcome).toBe('aborted');
    expect(connections[0]!.aborted).toBe(true);

    const waiting = follow();
    await settle();
    connections[1]!.close();
    await settle();
    expect(waiting.states).toEqual(['live', 'reconnecting']);
    waiting.abort();
    expect(await waiting.outcome).toBe('aborted');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(connections).toHaveLength(2);
    expect(waiting.states).toEqual(['live', 'reconnecting']);
  });

  it('tells the server whether the tab is visible, and reconnects at once when that changes', async () => {
    const run = follow();
    await settle();
    connections[0]!.send(': ok\n\n' + frame(text(1)));
    await settle();

    setVisibility('hidden');
    await settle();
    expect(connections[0]!.aborted).toBe(true);
    // No backoff and no "Reconnecting…": nothing failed.
    expect(connections.map((c) => c.url)).toEqual(['/api/runs/run-1/events?after=0&visible=1', '/api/runs/run-1/events?after=1&visible=0']);
    connections[1]!.send(': ok\n\n' + frame(text(2)));
    await settle();

    // An event that repeats the state already sent changes nothing.
    page.dispatchEvent(new Event('visibilitychange'));
    await settle();
    expect(connections).toHaveLength(2);

    setVisibility('visible');
    await settle();
    expect(connections[2]!.url).toBe('/api/runs/run-1/events?after=2&visible=1');
    connections[2]!.send(': ok\n\n' + frame(end(3)));
    expect(await run.outcome).toBe('ended');
    expect(run.events).toEqual([1, 2, 3]);
    expect(run.states).toEqual(['live']);
  });
});
