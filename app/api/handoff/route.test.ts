/**
 * Handoff and share links through the real route handlers on PGlite: a link works once and
 * briefly, says why it doesn't, never reaches a log, and what it grants stays in its one
 * conversation and workspace.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

type Handler = (req: NextRequest, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
let redeemRoute: Handler;
let handoffRoute: Handler;
let shareRoute: Handler;
let sharedRoute: Handler;
let conversationRoute: Handler;
let conversations: typeof import('@/features/conversations/server');

beforeAll(async () => {
  // Debug level: every log line is written, so none may carry a token.
  Object.assign(process.env, { TETHER_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tether-handoff-')), LOG_LEVEL: 'debug' });
  const workspaces = await import('@/features/workspaces/server');
  workspaces.ensureDemoWorkspace();
  workspaces.createWorkspace({ name: 'other' });
  redeemRoute = (await import('./route')).POST as Handler;
  handoffRoute = (await import('../conversations/[id]/handoff/route')).POST as Handler;
  shareRoute = (await import('../conversations/[id]/share/route')).POST as Handler;
  sharedRoute = (await import('../shared/route')).GET as Handler;
  conversationRoute = (await import('../conversations/[id]/route')).GET as Handler;
  conversations = await import('@/features/conversations/server');
});
afterAll(async () => (await import('@/lib/db/connection')).closeDb());

/** A fresh browser of the workspace: its first answer issues the visitor cookie. */
function browser(workspace = 'demo') {
  let cookie: string | null = null;
  return async (
    handler: Handler,
    { method = 'GET', url, body, params = {}, headers = {} }: { method?: string; url: string; body?: unknown; params?: Record<string, string>; headers?: Record<string, string> },
  ) => {
    const req = new NextRequest(`http://127.0.0.1:3000${url}`, {
      method,
      headers: {
        host: `${workspace}.localhost:3000`,
        origin: `http://${workspace}.localhost:3000`,
        ...(cookie ? { cookie } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const response = await handler(req, { params: Promise.resolve(params) });
    cookie ??= response.headers.get('set-cookie')?.split(';')[0] ?? null;
    return { status: response.status, body: (await response.json()) as Record<string, unknown> & { error?: { code: string; message: string } }, visitorId: cookie?.split('=')[1]?.split('.')[0] };
  };
}

async function conversationOf(desk: ReturnType<typeof browser>) {
  const id = randomUUID();
  const { visitorId } = await desk(conversationRoute, { url: `/api/conversations/${id}`, params: { id } });
  await conversations.openConversation({ id, visitorId: visitorId!, workspace: 'demo', title: 'On the desk' });
  return id;
}

const tokenOf = (url: unknown, key: string) => String(url).split(`#${key}=`)[1]!;

describe('handoff links', () => {
  it('work once; a second use and an expired link explain themselves; no log line holds the token', async () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    try {
      const desk = browser();
      const id = await conversationOf(desk);
      const made = await desk(handoffRoute, { method: 'POST', url: `/api/conversations/${id}/handoff`, params: { id } });
      expect(made).toMatchObject({ status: 201, body: { url: expect.stringMatching(/^http:\/\/demo\.localhost:3000\/#handoff=[\w-]{43}$/) } });
      const token = tokenOf(made.body.url, 'handoff');

      const phone = browser();
      expect(await phone(redeemRoute, { method: 'POST', url: '/api/handoff', body: { token } })).toMatchObject({ status: 200, body: { conversationId: id } });
      expect((await phone(conversationRoute, { url: `/api/conversations/${id}`, params: { id } })).status).toBe(200);
      const again = await browser()(redeemRoute, { method: 'POST', url: '/api/handoff', body: { token } });
      expect(again).toMatchObject({ status: 409, body: { error: { code: 'conflict:handoff_used', message: expect.stringContaining('already used') } } });

      // A link made 10 minutes and a second ago, as the server stores it (its token's SHA-256).
      const late = randomBytes(32).toString('base64url');
      const { db } = await import('@/lib/db/connection');
      await (
        await db()
      ).call('create_handoff', { p_conversation_id: id, p_visitor_id: made.visitorId, p_user_agent: '', p_token_hash: createHash('sha256').update(late).digest('hex'), p_ttl_seconds: -1 });
      const expired = await browser()(redeemRoute, { method: 'POST', url: '/api/handoff', body: { token: late } });
      expect(expired).toMatchObject({ status: 409, body: { error: { code: 'conflict:handoff_expired', message: expect.stringContaining('expired') } } });

      expect(written.join('')).not.toContain(token);
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('open nothing in another workspace, and only a device of the conversation can make one', async () => {
    const desk = browser();
    const id = await conversationOf(desk);
    const made = await desk(handoffRoute, { method: 'POST', url: `/api/conversations/${id}/handoff`, params: { id } });
    const elsewhere = await browser('other')(redeemRoute, { method: 'POST', url: '/api/handoff', body: { token: tokenOf(made.body.url, 'handoff') } });
    expect(elsewhere).toMatchObject({ status: 404, body: { error: { code: 'not_found:handoff' } } });
    expect((await browser()(handoffRoute, { method: 'POST', url: `/api/conversations/${id}/handoff`, params: { id } })).status).toBe(404);
    expect((await browser()(redeemRoute, { method: 'POST', url: '/api/handoff', body: { token: 'short' } })).status).toBe(400);
  });
});

describe('share links', () => {
  it('read one conversation with the token alone, and issue no cookie', async () => {
    const desk = browser();
    const id = await conversationOf(desk);
    const shared = await desk(shareRoute, { method: 'POST', url: `/api/conversations/${id}/share`, params: { id } });
    expect(shared.body.url).toMatch(/^http:\/\/demo\.localhost:3000\/shared#share=[\w-]{43}$/);
    const token = tokenOf(shared.body.url, 'share');
    const req = (host: string, headers: Record<string, string>) => sharedRoute(new NextRequest('http://127.0.0.1:3000/api/shared', { headers: { host, ...headers } }), { params: Promise.resolve({}) });
    const read = await req('demo.localhost:3000', { 'x-share-token': token });
    expect(read.status).toBe(200);
    expect(read.headers.get('set-cookie')).toBeNull();
    expect(await read.json()).toEqual({ conversation: { title: 'On the desk' }, items: [], activeRun: null });
    expect((await req('other.localhost:3000', { 'x-share-token': token })).status).toBe(404);
    expect((await req('demo.localhost:3000', {})).status).toBe(404);
  });
});
