/**
 * The wrapper every API handler runs in: cross-site writes are refused before anything runs, and
 * the visitor cookie has the name the request's scheme calls for, both when issued and when read.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NextRequest } from 'next/server';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';

let handler: (req: NextRequest, context: { params: Promise<Record<string, never>> }) => Promise<Response>;
let seen: string[] = [];

beforeAll(async () => {
  Object.assign(process.env, { TETHER_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tether-route-wrapper-')), LOG_LEVEL: 'warn' });
  (await import('@/features/workspaces/server')).ensureDemoWorkspace();
  const { route } = await import('./route');
  handler = route(async ({ visitorId }) => {
    seen.push(visitorId);
    return Response.json({ visitorId });
  });
});
beforeEach(() => {
  seen = [];
});

function call({ method = 'POST', headers = {} }: { method?: string; headers?: Record<string, string> }) {
  const req = new NextRequest('http://127.0.0.1:3000/api/x', { method, headers: { host: 'demo.localhost:3000', ...headers } });
  return handler(req, { params: Promise.resolve({}) });
}

async function expectRefused(response: Response) {
  expect(response.status).toBe(403);
  expect(await response.json()).toEqual({ error: { code: 'forbidden:cross_origin', message: expect.any(String) } });
  expect(response.headers.get('set-cookie')).toBeNull();
  expect(seen).toEqual([]);
}

describe('the origin check', () => {
  it('lets a same-origin write through', async () => {
    const response = await call({ headers: { origin: 'http://demo.localhost:3000', 'sec-fetch-site': 'same-origin' } });
    expect(response.status).toBe(200);
    expect(seen).toHaveLength(1);
  });

  it('refuses a write from another origin, a sibling workspace or a cross-site fetch, before the handler runs', async () => {
    await expectRefused(await call({ headers: { origin: 'https://evil.example' } }));
    await expectRefused(await call({ method: 'DELETE', headers: { origin: 'http://other.localhost:3000' } }));
    await expectRefused(await call({ method: 'PUT', headers: { 'sec-fetch-site': 'cross-site' } }));
  });

  it('refuses before the workspace is looked up (403, not 404, on an unknown host)', async () => {
    await expectRefused(await call({ headers: { host: 'nosuch.localhost:3000', origin: 'https://evil.example' } }));
  });

  it('leaves GET alone and passes writes without an Origin (curl, servers)', async () => {
    expect((await call({ method: 'GET', headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } })).status).toBe(200);
    expect((await call({})).status).toBe(200);
    expect(seen).toHaveLength(2);
  });

  it('compares with https behind a TLS proxy', async () => {
    const viaProxy = (origin: string) => call({ headers: { 'x-forwarded-proto': 'https', origin } });
    expect((await viaProxy('https://demo.localhost:3000')).status).toBe(200);
    seen = [];
    await expectRefused(await viaProxy('http://demo.localhost:3000'));
  });
});

describe('the visitor cookie', () => {
  it('is tether_visitor over http and __Host-tether_visitor (Secure, Path=/, no Domain) over https', async () => {
    const plain = (await call({ method: 'GET' })).headers.get('set-cookie');
    expect(plain).toMatch(/^tether_visitor=[0-9a-f-]{36}\.[\w-]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
    const secure = (await call({ method: 'GET', headers: { 'x-forwarded-proto': 'https' } })).headers.get('set-cookie');
    expect(secure).toMatch(/^__Host-tether_visitor=[0-9a-f-]{36}\.[\w-]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax; Secure$/);
    expect(secure).not.toMatch(/Domain=/i);
  });

  it('reads the __Host- cookie back over https, and only that one', async () => {
    const first = await call({ method: 'GET', headers: { 'x-forwarded-proto': 'https' } });
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    const { visitorId } = await first.json();

    const again = await call({ method: 'GET', headers: { 'x-forwarded-proto': 'https', cookie } });
    expect(await again.json()).toEqual({ visitorId });
    expect(again.headers.get('set-cookie')).toBeNull();

    // The same value under the plain name (settable from a sibling subdomain) names nobody over https…
    const plainName = cookie.replace(/^__Host-/, '');
    const planted = await call({ method: 'GET', headers: { 'x-forwarded-proto': 'https', cookie: plainName } });
    expect((await planted.json()).visitorId).not.toBe(visitorId);
    expect(planted.headers.get('set-cookie')).toMatch(/^__Host-tether_visitor=/);
    // …and over plain http the plain name is the one read.
    expect(await (await call({ method: 'GET', headers: { cookie: plainName } })).json()).toEqual({ visitorId });
  });
});
