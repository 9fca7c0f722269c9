/**
 * The follower outside a browser (tests, bench), against a real HTTP server that writes SSE:
 * events are parsed, an unknown or malformed one is skipped with a warning and the cursor moves
 * past it, and a reconnect resumes after the last id received.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hostFetch } from '@/tests/fixtures/host-fetch';
import type { RunEvent } from '../events';
import { followRun } from './follow-run';

let server: Server;
let port: number;
let respond: (req: IncomingMessage, res: ServerResponse) => void;
const seen: { url: string; host: string | undefined; cookie: string | undefined }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url!, host: req.headers.host, cookie: req.headers.cookie });
    respond(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const sse = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/event-stream' });
const frame = (seq: number, body: object) => `id: ${seq}\nevent: run\ndata: ${JSON.stringify({ ...body, seq })}\n\n`;
const end = { type: 'end', status: 'completed', model: 'm', mode: 'plan', costUsd: null, inputTokens: null, outputTokens: null, durationMs: 1 };

function follow({ retry, onIgnored }: { retry: boolean; onIgnored?: (reason: string) => void }) {
  const events: RunEvent[] = [];
  const outcome = followRun({
    url: ({ after }) => `/api/runs/r-1/events?after=${after}`,
    after: 0,
    headers: { cookie: 'tether_visitor=v' },
    fetch: hostFetch({ port, host: 'demo.localhost:3000' }),
    signal: new AbortController().signal,
    retry,
    onIgnored,
    onEvent: (event) => events.push(event),
  });
  return { outcome, events };
}

describe('followRun outside a browser', () => {
  it('skips an event type it does not know, with a warning, and reads on to the end', async () => {
    seen.length = 0;
    respond = (_req, res) => {
      sse(res);
      res.write(': ok\n\n' + frame(1, { type: 'text', text: 'a' }) + frame(2, { type: 'subagent', name: 'x' }));
      res.end(frame(3, { type: 'text', text: 42 }) + frame(4, { type: 'text', text: 'b' }) + frame(5, end));
    };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const run = follow({ retry: true });
    expect(await run.outcome).toBe('ended');
    expect(run.events.map((event) => [event.seq, event.type])).toEqual([
      [1, 'text'],
      [4, 'text'],
      [5, 'end'],
    ]);
    expect(warn.mock.calls.map(([reason]) => String(reason))).toEqual(['run event 2 ignored: unknown event type "subagent"', expect.stringMatching(/^run event 3 ignored: malformed text event/)]);
    warn.mockRestore();
    expect(seen).toEqual([{ url: '/api/runs/r-1/events?after=0', host: 'demo.localhost:3000', cookie: 'tether_visitor=v' }]);
  });

  it('reconnects after a stream that closes early and resumes after the last id, skipped ones included; a repeat is skipped and reported', async () => {
    seen.length = 0;
    respond = (req, res) => {
      sse(res);
      if (req.url!.endsWith('after=0')) res.end(frame(1, { type: 'text', text: 'a' }) + frame(2, { type: 'later', x: 1 }));
      else res.end(frame(2, { type: 'later', x: 1 }) + frame(3, end));
    };
    const ignored: string[] = [];
    const run = follow({ retry: true, onIgnored: (reason) => ignored.push(reason) });
    expect(await run.outcome).toBe('ended');
    expect(seen.map((request) => request.url)).toEqual(['/api/runs/r-1/events?after=0', '/api/runs/r-1/events?after=2']);
    expect(run.events.map((event) => event.seq)).toEqual([1, 3]);
    // The server repeated event 2: not shown, and said.
    expect(ignored).toEqual(['run event 2 ignored: unknown event type "later"', 'run event 2 ignored: already received']);
  });

  it('with retry off: one connection, "closed" when it ends before the end event, "gone" when the server says the run is gone, an error on a refusal', async () => {
    respond = (_req, res) => {
      sse(res);
      res.end(frame(1, { type: 'text', text: 'a' }));
    };
    const closed = follow({ retry: false });
    expect(await closed.outcome).toBe('closed');
    expect(closed.events).toHaveLength(1);

    respond = (_req, res) => res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'not_found:run', message: 'No such run.' } }));
    expect(await follow({ retry: false }).outcome).toBe('gone');
    // A 404 without the app's answer (a proxy, no route) says nothing about the run.
    respond = (_req, res) => res.writeHead(404).end();
    await expect(follow({ retry: false }).outcome).rejects.toThrow('events 404');
    respond = (_req, res) => res.writeHead(429).end();
    await expect(follow({ retry: false }).outcome).rejects.toThrow('events 429');
  });
});
