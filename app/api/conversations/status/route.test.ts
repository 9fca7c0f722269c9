/** The badge endpoint validates its ids before touching the database. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { NextRequest } from 'next/server';
import { beforeAll, describe, expect, it } from 'vitest';

let GET: typeof import('./route').GET;

beforeAll(async () => {
  process.env.TETHER_DATA_DIR = mkdtempSync(path.join(tmpdir(), 'tether-route-'));
  process.env.LOG_LEVEL = 'warn';
  (await import('@/features/workspaces/server')).ensureDemoWorkspace();
  ({ GET } = await import('./route'));
});

function status(query: string, host = 'demo.localhost:3000') {
  const req = new NextRequest(`http://127.0.0.1:3000/api/conversations/status${query}`, { headers: { host } });
  return GET(req, { params: Promise.resolve({}) });
}

async function expectBadQuery(response: Response) {
  expect(response.status).toBe(400);
  const body = await response.json();
  expect(body).toEqual({ error: { code: 'bad_request:invalid_query', message: expect.any(String) } });
  return body.error.message as string;
}

describe('GET /api/conversations/status', () => {
  it('400s without ids, for an id that is not a uuid, and for more than 10 ids', async () => {
    expect(await expectBadQuery(await status(''))).toContain('ids=');
    expect(await expectBadQuery(await status(`?ids=${randomUUID()},../../etc`))).toContain('Not a valid id');
    const eleven = Array.from({ length: 11 }, () => randomUUID()).join(',');
    expect(await expectBadQuery(await status(`?ids=${eleven}`))).toContain('At most 10');
  });

  it('answers an empty list for no ids, and 404s for a host with no workspace', async () => {
    const empty = await status('?ids=');
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({ statuses: [] });
    expect((await status(`?ids=${randomUUID()}`, 'nosuch.localhost:3000')).status).toBe(404);
  });
});
