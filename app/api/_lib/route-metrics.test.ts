/**
 * API requests as `/metrics` counts them: under their route's pattern (never a path with ids),
 * for Next's route handlers (`route()`) and for the streams served before Next alike.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMetrics } from '@/tests/fixtures/metrics-text';

let scrape: () => Promise<ReturnType<typeof readMetrics>>;
let closeDb: () => Promise<void>;

beforeAll(async () => {
  Object.assign(process.env, { TETHER_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tether-route-metrics-')), LOG_LEVEL: 'error' });
  (await import('@/features/workspaces/server')).ensureDemoWorkspace();
  const { scrapedRegistry } = await import('@/features/metrics/server/registry');
  scrape = async () => readMetrics(await scrapedRegistry().metrics());
  ({ closeDb } = await import('@/lib/db/connection'));
});

afterAll(() => closeDb());

const requests = (metrics: ReturnType<typeof readMetrics>, labels: Record<string, string>) => metrics.value('tether_http_requests_total', labels);

describe('API request metrics', () => {
  it("counts a route handler's answers by pattern, method and status, an unknown workspace's 404 too", async () => {
    const { route } = await import('./route');
    const handler = route<{ id: string }>(async ({ params }) => Response.json({ id: params.id }, { status: 202 }));
    const call = (host: string, id: string) =>
      handler(new NextRequest(`http://127.0.0.1:3000/api/conversations/${id}/mute`, { method: 'GET', headers: { host } }), { params: Promise.resolve({ id }) });
    const before = await scrape();
    expect((await call('demo.localhost:3000', randomUUID())).status).toBe(202);
    expect((await call('demo.localhost:3000', randomUUID())).status).toBe(202);
    expect((await call('nosuch.localhost:3000', randomUUID())).status).toBe(404);
    const after = await scrape();
    const labels = { route: '/api/conversations/[id]/mute', method: 'GET' };
    expect(requests(after, { ...labels, status: '202' }) - requests(before, { ...labels, status: '202' })).toBe(2);
    expect(requests(after, { ...labels, status: '404' }) - requests(before, { ...labels, status: '404' })).toBe(1);
    const routes = after.families.get('tether_http_requests_total')!.metrics.map((sample) => sample.labels!.route);
    expect(routes.filter((name) => /[0-9a-f]{8}-/.test(name!))).toEqual([]);
  });

  it("counts a share link's routes too", async () => {
    const { shareRoute } = await import('./share-route');
    const handler = shareRoute<{ attachmentId: string }>(async () => new Response('never: the token opens nothing'));
    const attachmentId = randomUUID();
    const req = new NextRequest(`http://127.0.0.1:3000/api/shared/attachments/${attachmentId}`, { headers: { host: 'demo.localhost:3000', 'x-share-token': 'nothing' } });
    const labels = { route: '/api/shared/attachments/[attachmentId]', method: 'GET', status: '404' };
    const before = await scrape();
    expect((await handler(req, { params: Promise.resolve({ attachmentId }) })).status).toBe(404);
    expect(requests(await scrape(), labels) - requests(before, labels)).toBe(1);
  });

  it('counts a stream served before Next once it closed, under its pattern', async () => {
    const { serveApiBeforeNext } = await import('../node-routes');
    const server = createServer((req, res) => serveApiBeforeNext(req, res) || res.writeHead(404).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const before = await scrape();
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/runs/${randomUUID()}/events`, { headers: { host: 'demo.localhost:3000' } });
      expect(response.status).toBe(404); // no such run
      await response.text();
      const labels = { route: '/api/runs/[id]/events', method: 'GET', status: '404' };
      await expect.poll(async () => requests(await scrape(), labels) - requests(before, labels)).toBe(1);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
