/** Bad input to the send endpoint gets a clear 4xx JSON error, before any run starts. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { NextRequest } from 'next/server';
import { beforeAll, describe, expect, it } from 'vitest';

let POST: typeof import('./route').POST;

beforeAll(async () => {
  process.env.TETHER_DATA_DIR = mkdtempSync(path.join(tmpdir(), 'tether-route-'));
  process.env.LOG_LEVEL = 'warn';
  (await import('@/features/workspaces/server')).ensureDemoWorkspace();
  ({ POST } = await import('./route'));
});

function send({ id = randomUUID(), host = 'demo.localhost:3000', body = '{}', type = 'application/json' }: { id?: string; host?: string; body?: string; type?: string }) {
  const req = new NextRequest(`http://127.0.0.1:3000/api/conversations/${id}/messages`, {
    method: 'POST',
    headers: { host, 'content-type': type },
    body,
  });
  return POST(req, { params: Promise.resolve({ id }) });
}

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  const body = await response.json();
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
  return body.error.message as string;
}

describe('POST /api/conversations/:id/messages', () => {
  const valid = JSON.stringify({ text: 'hi', model: 'claude-sonnet-4-5', mode: 'plan' });

  it('404s for a host with no workspace', async () => {
    await expectError(await send({ host: 'nosuch.localhost:3000', body: valid }), 404, 'not_found:workspace');
    await expectError(await send({ host: '127.0.0.1:3000', body: valid }), 404, 'not_found:workspace');
  });

  it('400s for a conversation id that is not a uuid', async () => {
    await expectError(await send({ id: '../../etc', body: valid }), 400, 'bad_request:invalid_params');
  });

  it('400s for invalid JSON and names the bad fields', async () => {
    await expectError(await send({ body: '{"text": ' }), 400, 'bad_request:invalid_json');
    const message = await expectError(await send({ body: JSON.stringify({ text: '  ', model: 'x', mode: 'yolo' }) }), 400, 'bad_request:invalid_body');
    expect(message).toContain('text');
    expect(message).toContain('mode');
  });

  it('415s for a body that is not JSON, 413s for an oversize one', async () => {
    await expectError(await send({ body: valid, type: 'text/plain' }), 415, 'unsupported_media_type');
    const huge = JSON.stringify({ text: 'x'.repeat(70_000), model: 'claude-sonnet-4-5', mode: 'plan' });
    await expectError(await send({ body: huge }), 413, 'payload_too_large');
  });

  it('issues a signed visitor cookie to a client that has none', async () => {
    const response = await send({ body: '{"text": ' });
    expect(response.headers.get('set-cookie')).toMatch(/^tether_visitor=[0-9a-f-]{36}\.[\w-]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
  });
});
