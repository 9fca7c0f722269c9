import { mkdtempSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelUsage } from '../messages-api/usage';
import { MAX_REQUEST_BYTES, startModelBridge, type BridgeDoor } from './model-bridge';
import type { SocketServer } from './socket-server';

type Seen = { path: string; headers: IncomingHttpHeaders; body: string };
type Metered = { usage: ModelUsage; body: string };

const dir = mkdtempSync(path.join(tmpdir(), 'tether-bridge-'));
const seen: Seen[] = [];
let upstream: Server;
let upstreamUrl: string;
const bridges: SocketServer[] = [];
const metered: Metered[] = [];

/** Lets everything through and keeps what it metered. */
const openDoor: BridgeDoor = {
  admit: (request) => ({ ok: true, body: request.body, metered: true, done: (usage) => metered.push({ usage, body: request.body.toString() }) }),
};

beforeAll(async () => {
  // A model API that streams its answer in two chunks, the way SSE arrives.
  upstream = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers, body });
      if (body.includes('"json"')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ id: 'msg', content: [], usage: { input_tokens: 11, output_tokens: 7, cache_read_input_tokens: 5, cache_creation_input_tokens: 3 } }));
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(
        `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { usage: { input_tokens: 20, output_tokens: 1, cache_read_input_tokens: 100, cache_creation_input_tokens: 40, cache_creation: { ephemeral_5m_input_tokens: 30, ephemeral_1h_input_tokens: 10 } } } })}\n\n`,
      );
      setTimeout(() => res.end(`event: message_delta\ndata: ${JSON.stringify({ type: 'message_delta', usage: { output_tokens: 9 } })}\n\n`), 20);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/gateway`;
});

afterAll(async () => {
  await Promise.all(bridges.map((bridge) => bridge.close()));
  upstream.close();
});

function bridge(name: string, token: string, { baseUrl = upstreamUrl, door = openDoor }: { baseUrl?: string; door?: BridgeDoor } = {}): string {
  const socketPath = path.join(dir, `${name}.sock`);
  const started = startModelBridge({
    socketPath,
    upstream: { baseUrl, apiKey: 'real-key' },
    onError: (error) => {
      throw error;
    },
  });
  started.doors.set(token, door);
  bridges.push(started);
  return socketPath;
}

function post(socketPath: string, headers: Record<string, string>, body: string | Buffer = '{"model":"m"}'): Promise<{ status: number; body: string; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method: 'POST', path: '/v1/messages?beta=true', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The usage the door was handed for the last request (it arrives as the bridge's response closes). */
async function lastMetered(count: number): Promise<Metered> {
  await expect.poll(() => metered.length).toBe(count);
  return metered.at(-1)!;
}

describe('the model bridge', () => {
  it('forwards a request with its token to the model API with the real key instead, and streams the answer back', async () => {
    const socket = bridge('a', 'token-a');
    const answer = await post(socket, { 'x-api-key': 'token-a', 'anthropic-version': '2023-06-01' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatch(/^event: message_start\n[^]*event: message_delta\n/);
    const request = seen.at(-1)!;
    expect(request.path).toBe('/gateway/v1/messages?beta=true');
    expect(request.headers['x-api-key']).toBe('real-key');
    expect(request.headers['anthropic-version']).toBe('2023-06-01');
    expect(request.body).toBe('{"model":"m"}');
    // Plain bytes back, so the bridge can read the usage as they pass.
    expect(request.headers['accept-encoding']).toBe('identity');
  });

  it("reads a stream's usage from message_start and message_delta, and a JSON answer's from its body", async () => {
    const socket = bridge('usage', 'token-u');
    const before = metered.length;
    await post(socket, { 'x-api-key': 'token-u' });
    expect((await lastMetered(before + 1)).usage).toEqual({ inputTokens: 20, outputTokens: 9, cacheWrite5mTokens: 30, cacheWrite1hTokens: 10, cacheReadTokens: 100 });
    await post(socket, { 'x-api-key': 'token-u' }, '{"model":"json"}');
    expect((await lastMetered(before + 2)).usage).toEqual({ inputTokens: 11, outputTokens: 7, cacheWrite5mTokens: 3, cacheWrite1hTokens: 0, cacheReadTokens: 5 });
  });

  it('answers what the door refuses in the API error shape, with Retry-After, and forwards nothing', async () => {
    const door: BridgeDoor = { admit: () => ({ ok: false, status: 429, type: 'rate_limit_error', message: 'Slow down.', retryAfterSeconds: 2 }) };
    const socket = bridge('refusing', 'token-r', { door });
    const before = seen.length;
    const answer = await post(socket, { 'x-api-key': 'token-r' });
    expect(answer.status).toBe(429);
    expect(answer.headers['retry-after']).toBe('2');
    expect(JSON.parse(answer.body)).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: 'Slow down.' } });
    expect(seen.length).toBe(before);
  });

  it('refuses a body over the size cap with a 413 before the door or the model API sees it', async () => {
    let asked = 0;
    const socket = bridge('big', 'token-big', { door: { admit: (request, cancel) => (asked++, openDoor.admit(request, cancel)) } });
    const before = seen.length;
    const answer = await post(socket, { 'x-api-key': 'token-big' }, Buffer.alloc(MAX_REQUEST_BYTES + 1, 'a'));
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ type: 'error', error: { type: 'request_too_large' } });
    expect([asked, seen.length]).toEqual([0, before]);
  });

  it('refuses requests without its own token: none, a wrong one, or the token of another process', async () => {
    const socketA = bridge('a2', 'token-a2');
    bridge('b2', 'token-b2');
    const before = seen.length;
    for (const headers of <Array<Record<string, string>>>[{}, { 'x-api-key': 'real-key' }, { 'x-api-key': 'token-b2' }, { authorization: 'Bearer token-b2' }]) {
      const answer = await post(socketA, headers);
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.body)).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    }
    expect(seen.length).toBe(before);
  });

  it('answers 502 in the API error shape when the model API is unreachable', async () => {
    const socket = bridge('down', 'token-down', { baseUrl: 'http://127.0.0.1:1' });
    const answer = await post(socket, { 'x-api-key': 'token-down' });
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.body)).toMatchObject({ type: 'error', error: { type: 'api_error' } });
  });
});
