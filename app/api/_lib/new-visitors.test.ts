/** The cap on new visitors per client address, through a real route handler. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NextRequest } from 'next/server';
import { beforeAll, describe, expect, it } from 'vitest';

let GET: typeof import('../conversations/status/route').GET;

beforeAll(async () => {
  Object.assign(process.env, {
    TETHER_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tether-new-visitors-')),
    LOG_LEVEL: 'warn',
    TETHER_NEW_VISITORS_PER_ADDRESS_PER_MINUTE: '3',
    TETHER_TRUSTED_PROXIES: '10.0.0.2',
  });
  (await import('@/features/workspaces/server')).ensureDemoWorkspace();
  ({ GET } = await import('../conversations/status/route'));
});

/** A request without a cookie (a new visitor) whose socket came from `peer`. */
function newVisitor(peer: string, forwardedFor?: string) {
  const headers: Record<string, string> = { host: 'demo.localhost:3000', 'x-tether-peer': peer };
  if (forwardedFor) headers['x-forwarded-for'] = forwardedFor;
  return GET(new NextRequest('http://127.0.0.1:3000/api/conversations/status?ids=', { headers }), { params: Promise.resolve({}) });
}

describe('new visitors per address', () => {
  it('admits the cap per minute, then answers 429 with Retry-After and a JSON error; other addresses are unaffected', async () => {
    for (let i = 0; i < 3; i++) expect((await newVisitor('203.0.113.10')).status).toBe(200);
    const refused = await newVisitor('203.0.113.10');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toEqual({ error: { code: 'rate_limited:new_visitors', message: expect.stringContaining('Too many new visitors') } });
    expect(refused.headers.get('set-cookie')).toBeNull();
    expect((await newVisitor('203.0.113.11')).status).toBe(200);
  });

  it("can't be dodged with a forged X-Forwarded-For; behind a trusted proxy each client counts apart", async () => {
    for (let i = 0; i < 3; i++) await newVisitor('203.0.113.20', `198.51.100.${i}`);
    expect((await newVisitor('203.0.113.20', '198.51.100.99')).status).toBe(429);
    // The trusted proxy's own address is shared by everyone behind it: the client in XFF counts.
    for (let i = 0; i < 3; i++) expect((await newVisitor('10.0.0.2', `198.51.100.${50 + i}`)).status).toBe(200);
  });
});
