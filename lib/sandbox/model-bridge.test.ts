import { mkdtempSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startModelBridge } from './model-bridge';
import type { SocketServer } from './socket-server';

type Seen = { path: string; headers: IncomingHttpHeaders; body: string };

const dir = mkdtempSync(path.join(tmpdir(), 'tether-bridge-'));
const seen: Seen[] = [];
let upstream: Server;
let upstreamUrl: string;
const bridges: SocketServer[] = [];

beforeAll(async () => {
  // A model API that streams its answer in two chunks, the way SSE arrives.
  upstream = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: one\ndata: {}\n\n');
      setTimeout(() => res.end('event: two\ndata: {}\n\n'), 20);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/gateway`;
});

afterAll(async () => {
  await Promise.all(bridges.map((bridge) => bridge.close()));
  upstream.close();
});

function bridge(name: string, token: string, baseUrl = upstreamUrl): string {
  const socketPath = path.join(dir, `${name}.sock`);
  bridges.push(startModelBridge({ socketPath, token, upstream: { baseUrl, apiKey: 'real-key' }, onError: (error) => { throw error; } }));
  return socketPath;
}

function post(socketPath: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method: 'POST', path: '/v1/messages?beta=true', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end('{"model":"m"}');
  });
}

describe('the model bridge', () => {
  it('forwards a request with its token to the model API with the real key instead, and streams the answer back', async () => {
    const socket = bridge('a', 'token-a');
    const answer = await post(socket, { 'x-api-key': 'token-a', 'anthropic-version': '2023-06-01' });
    expect(answer).toEqual({ status: 200, body: 'event: one\ndata: {}\n\nevent: two\ndata: {}\n\n' });
    const request = seen.at(-1)!;
    expect(request.path).toBe('/gateway/v1/messages?beta=true');
    expect(request.headers['x-api-key']).toBe('real-key');
    expect(request.headers['anthropic-version']).toBe('2023-06-01');
    expect(request.body).toBe('{"model":"m"}');
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
    const socket = bridge('down', 'token-down', 'http://127.0.0.1:1');
    const answer = await post(socket, { 'x-api-key': 'token-down' });
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.body)).toMatchObject({ type: 'error', error: { type: 'api_error' } });
  });
});
