/**
 * The disk reserve, through the route handlers: a data root on a small tmpfs made for this test.
 * With room to spare a message runs (real SDK and CLI in the sandbox, scripted API); once free
 * space drops below TETHER_DISK_RESERVE_MB a send gets 503 with Retry-After, while the history and
 * the files still load; freeing space lets sends through again. The reserve is read once per
 * process, so this test has its own file.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unmountUnder } from '@/lib/mounts';
import type { MessagesApi } from '@/lib/messages-api/server';
import { eventsUntilEnd, startAgentTestEnv } from '@/tests/fixtures/agent-env';

const MB = 1024 * 1024;
const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-reserve-'));
const filler = path.join(dataDir, 'filler');

let api: MessagesApi;
let messages: typeof import('./route');
let conversation: typeof import('../route');
let fileContent: typeof import('../../../files/content/route');
let cookie = '';

beforeAll(async () => {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256m', 'tmpfs', dataDir]);
  api = await startAgentTestEnv({
    responder: () => ({ blocks: [{ type: 'text', text: 'hello back' }] }),
    dataDir,
    env: { TETHER_DISK_RESERVE_MB: '64', TETHER_WORKSPACE_QUOTA_MB: '32' },
  });
  (await import('@/features/workspaces/server')).ensureDemoWorkspace();
  messages = await import('./route');
  conversation = await import('../route');
  fileContent = await import('../../../files/content/route');
});

afterAll(async () => {
  (await import('@/features/agents/server/agent-pool')).closeAllProcesses();
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
  unmountUnder(dataDir); // the workspace's image, then the tmpfs itself
});

function request({ url, method = 'GET', body }: { url: string; method?: string; body?: unknown }) {
  return new NextRequest(`http://127.0.0.1:3000${url}`, {
    method,
    headers: { host: 'demo.localhost:3000', 'content-type': 'application/json', cookie },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const send = (id: string) =>
  messages.POST(request({ url: `/api/conversations/${id}/messages`, method: 'POST', body: { text: 'hi', model: 'claude-sonnet-4-5', mode: 'build' } }), { params: Promise.resolve({ id }) });
const history = (id: string) => conversation.GET(request({ url: `/api/conversations/${id}` }), { params: Promise.resolve({ id }) });
const freeBytes = () => statfsSync(dataDir).bavail * statfsSync(dataDir).bsize;

/** Takes the data root's free space down to `left` bytes. */
function fillUntil(left: number) {
  const fd = openSync(filler, 'w');
  const chunk = Buffer.alloc(MB);
  while (freeBytes() > left) writeSync(fd, chunk);
  closeSync(fd);
}

describe('the disk reserve', () => {
  const id = randomUUID();

  it('runs a message while the data root has room', async () => {
    expect(freeBytes()).toBeGreaterThan(64 * MB);
    const response = await send(id);
    expect(response.status).toBe(202);
    cookie = response.headers.get('set-cookie')!.split(';')[0]!;
    const { run } = await response.json();
    const { requireRun } = await import('@/features/runs/server/run-manager');
    const visitorId = (await import('@/features/visitors/server')).verifyVisitorCookie(cookie.split('=')[1])!;
    const events = await eventsUntilEnd(requireRun({ runId: run.id, visitorId, workspace: 'demo' }));
    expect(events.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
  });

  it('answers a send 503 with Retry-After below the reserve, while history and files still load', async () => {
    fillUntil(32 * MB);
    const refused = await send(id);
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toEqual({ error: { code: 'unavailable:disk_full', message: expect.stringContaining('low on disk space') } });
    // A brand-new conversation is refused the same way.
    expect((await send(randomUUID())).status).toBe(503);

    const view = await history(id);
    expect(view.status).toBe(200);
    const { items } = await view.json();
    expect(items.map((item: { kind: string }) => item.kind)).toEqual(['user', 'assistant', 'run_end']);
    expect(JSON.stringify(items)).toContain('hello back');
    const file = await fileContent.GET(request({ url: '/api/files/content?path=README.md' }), { params: Promise.resolve({}) });
    expect(file.status).toBe(200);
    expect((await file.json()).text).toContain('Demo workspace');
  });

  it('takes messages again once space is freed', async () => {
    rmSync(filler);
    const response = await send(id);
    expect(response.status).toBe(202);
    const { run } = await response.json();
    const { requireRun } = await import('@/features/runs/server/run-manager');
    const visitorId = (await import('@/features/visitors/server')).verifyVisitorCookie(cookie.split('=')[1])!;
    expect((await eventsUntilEnd(requireRun({ runId: run.id, visitorId, workspace: 'demo' }))).at(-1)).toMatchObject({ type: 'end', status: 'completed' });
  });
});
