/**
 * `GET /metrics` as the app serves it before Next (`serveApiBeforeNext`, the request hook's
 * handler): what it takes from a scraper, on any Host. A request it leaves alone is answered
 * here as Next answers an unknown path, 404.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseServerEnv } from '@/lib/env';
import { readMetrics } from '@/tests/fixtures/metrics-text';

const TOKEN = 'metrics-token-for-tests-0123456789';
let server: Server;
let url: string;

beforeAll(async () => {
  process.env.TETHER_DATA_DIR = mkdtempSync(path.join(tmpdir(), 'tether-metrics-'));
  process.env.LOG_LEVEL = 'warn';
  delete process.env.TETHER_METRICS_TOKEN;
  server = createServer((req, res) => {
    // The handler is imported per request: a test that changes the env loads it afresh.
    void import('../api/node-routes').then(({ serveApiBeforeNext }) => serveApiBeforeNext(req, res) || res.writeHead(404).end('left to Next'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Sets (or unsets) the token and reloads the modules that read the env; metrics live on globalThis and stay. */
function useToken(token: string | undefined) {
  if (token === undefined) delete process.env.TETHER_METRICS_TOKEN;
  else process.env.TETHER_METRICS_TOKEN = token;
  vi.resetModules();
}

const get = (headers: Record<string, string> = {}, method = 'GET') => fetch(url, { method, headers: { host: 'demo.localhost:3000', ...headers } });

describe('GET /metrics', () => {
  it('does not exist without TETHER_METRICS_TOKEN: the path is left to Next, like any unknown one', async () => {
    useToken(undefined);
    const response = await get({ authorization: `Bearer ${TOKEN}` });
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('left to Next');
  });

  it('refuses a scraper without the token, or with a wrong one, with 401 and an error body', async () => {
    useToken(TOKEN);
    for (const authorization of [undefined, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, TOKEN, `Basic ${TOKEN}`]) {
      const response = await get(authorization === undefined ? {} : { authorization });
      expect(response.status, authorization).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await response.json()).toEqual({ error: { code: 'unauthorized:metrics_token', message: expect.stringContaining('Bearer') } });
    }
  });

  it('answers the token on any Host in the Prometheus text format, with the instance label and the Node process metrics', async () => {
    useToken(TOKEN);
    const { instanceId } = await import('@/features/cluster/server');
    for (const host of ['demo.localhost:3000', '10.0.0.7:3000', 'unknown.example.com']) {
      const response = await get({ host, authorization: `bearer ${TOKEN}` });
      expect(response.status, host).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const metrics = readMetrics(await response.text());
      expect(metrics.families.get('process_resident_memory_bytes')?.type).toBe('GAUGE');
      expect(metrics.families.get('nodejs_eventloop_lag_seconds')).toBeDefined();
      expect(metrics.families.get('process_resident_memory_bytes')?.metrics[0]?.labels).toEqual({ instance: instanceId() });
    }
  });

  it('takes GET only', async () => {
    useToken(TOKEN);
    const response = await get({ authorization: `Bearer ${TOKEN}` }, 'POST');
    expect(response.status).toBe(405);
  });

  it('refuses a token too short to be a secret at start, naming the variable', () => {
    expect(() => parseServerEnv({ TETHER_METRICS_TOKEN: 'short' })).toThrow(/TETHER_METRICS_TOKEN: at least 16 characters/);
    expect(parseServerEnv({ TETHER_METRICS_TOKEN: '  ' }).TETHER_METRICS_TOKEN).toBeUndefined();
  });
});
