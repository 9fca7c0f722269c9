/**
 * `route.conversation()` and `route.run()` on PGlite: the id is checked and the handler's input
 * read before the handler runs, and the handler gets, once, whose rights the caller acts with —
 * the owner's for a device that opened a handoff link, its own otherwise.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NextRequest } from 'next/server';
import { z } from 'zod';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

type Handler = (req: NextRequest, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Seen = { id: string; actor: string; visitorId: string; input: unknown };
let conversationHandler: Handler;
let runHandler: Handler;
let seen: Seen[] = [];
let conversations: typeof import('@/features/conversations/server');
let sharing: typeof import('@/features/sharing/server');

beforeAll(async () => {
  Object.assign(process.env, { TETHER_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tether-acting-route-')), LOG_LEVEL: 'warn' });
  (await import('@/features/workspaces/server')).ensureDemoWorkspace();
  conversations = await import('@/features/conversations/server');
  sharing = await import('@/features/sharing/server');
  const { readJson } = await import('@/lib/http');
  const { route } = await import('./route');
  conversationHandler = route.conversation({ input: ({ req }) => readJson(req, z.object({ note: z.string() })) }, async ({ conversationId, actor, visitorId, input }) => {
    seen.push({ id: conversationId, actor, visitorId, input });
    return Response.json({ actor });
  });
  runHandler = route.run(async ({ runId, actor, visitorId, input }) => {
    seen.push({ id: runId, actor, visitorId, input });
    return Response.json({ actor });
  });
});
beforeEach(() => {
  seen = [];
});
afterAll(async () => (await import('@/lib/db/connection')).closeDb());

/** A browser of the demo workspace: its first answer issues the visitor cookie it keeps sending. */
function browser() {
  let cookie: string | null = null;
  return async (handler: Handler, { id, body }: { id: string; body?: unknown }) => {
    const req = new NextRequest(`http://127.0.0.1:3000/api/x/${id}`, {
      method: 'POST',
      headers: { host: 'demo.localhost:3000', 'content-type': 'application/json', 'user-agent': 'test', ...(cookie ? { cookie } : {}) },
      body: JSON.stringify(body ?? {}),
    });
    const response = await handler(req, { params: Promise.resolve({ id }) });
    cookie ??= response.headers.get('set-cookie')?.split(';')[0] ?? null;
    return { status: response.status, body: (await response.json()) as { actor?: string; error?: { code: string } }, visitorId: cookie?.split('=')[1]?.split('.')[0] };
  };
}

describe('route.conversation()', () => {
  it('refuses a malformed id or input before the handler runs', async () => {
    const desk = browser();
    expect((await desk(conversationHandler, { id: 'not-a-uuid', body: { note: 'hi' } })).body.error?.code).toBe('bad_request:invalid_params');
    expect((await desk(conversationHandler, { id: randomUUID(), body: { note: 7 } })).status).toBe(400);
    expect(seen).toEqual([]);
  });

  it('acts as the owner for the owner and for a device that opened a handoff link, as the caller for anyone else', async () => {
    const desk = browser();
    const phone = browser();
    const stranger = browser();
    const id = randomUUID();
    const { visitorId: owner } = await desk(conversationHandler, { id, body: { note: 'before' } });
    await conversations.openConversation({ id, visitorId: owner!, workspace: 'demo', title: 'On the desk' });
    const { url } = await sharing.createHandoff({ visitorId: owner!, workspace: 'demo', conversationId: id, userAgent: 'desk', origin: 'http://demo.localhost:3000' });
    const { visitorId: phoneId } = await phone(conversationHandler, { id: randomUUID(), body: { note: 'first visit' } });
    await sharing.redeemHandoff({ visitorId: phoneId!, workspace: 'demo', token: url.split('#handoff=')[1]!, userAgent: 'phone' });
    seen = [];

    expect((await desk(conversationHandler, { id, body: { note: 'desk' } })).body.actor).toBe(owner);
    expect((await phone(conversationHandler, { id, body: { note: 'phone' } })).body.actor).toBe(owner);
    const strangerAnswer = await stranger(conversationHandler, { id, body: { note: 'stranger' } });
    expect(strangerAnswer.body.actor).toBe(strangerAnswer.visitorId);
    expect(strangerAnswer.visitorId).not.toBe(owner);
    expect(seen.map(({ id: seenId, visitorId, input }) => ({ seenId, visitorId, input }))).toEqual([
      { seenId: id, visitorId: owner, input: { note: 'desk' } },
      { seenId: id, visitorId: phoneId, input: { note: 'phone' } },
      { seenId: id, visitorId: strangerAnswer.visitorId, input: { note: 'stranger' } },
    ]);
  });
});

describe('route.run()', () => {
  it('refuses a malformed id, and acts as the caller on a run it has no part in', async () => {
    const desk = browser();
    expect((await desk(runHandler, { id: 'nope' })).body.error?.code).toBe('bad_request:invalid_params');
    expect(seen).toEqual([]);
    const runId = randomUUID();
    const { body, visitorId } = await desk(runHandler, { id: runId });
    expect(body.actor).toBe(visitorId);
    expect(seen).toEqual([{ id: runId, actor: visitorId, visitorId, input: undefined }]);
  });
});
