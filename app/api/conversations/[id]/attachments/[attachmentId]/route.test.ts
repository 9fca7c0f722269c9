/**
 * Who reads an attachment, through the real route handlers on PGlite: the owner and the
 * conversation's devices; another visitor gets exactly the 404 of an unknown id; a share link
 * reads what was sent with a message, read-only; deleting the conversation takes its attachments.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, attachmentRoutes, browser, newId, upload, type Browser } from '@/tests/fixtures/attachment-routes';
import { png } from '@/tests/fixtures/attachment-files';

let routes: Awaited<ReturnType<typeof attachmentRoutes>>;
let sendAttachments: typeof import('@/features/attachments/server').sendAttachments;
let db: typeof import('@/lib/db/connection').db;

beforeAll(async () => {
  Object.assign(process.env, { TETHER_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tether-attachment-readers-')), LOG_LEVEL: 'warn' });
  const workspaces = await import('@/features/workspaces/server');
  workspaces.ensureDemoWorkspace();
  workspaces.createWorkspace({ name: 'other' });
  routes = await attachmentRoutes();
  ({ sendAttachments } = await import('@/features/attachments/server'));
  ({ db } = await import('@/lib/db/connection'));
});
afterAll(async () => (await import('@/lib/db/connection')).closeDb());

/** A conversation of `owner`'s with one uploaded image; `send` records a run and sends the image with it. */
async function withImage(owner: Browser) {
  const conversationId = newId();
  const bytes = png(30, 20);
  const response = await upload(routes, owner, { conversationId, bytes, name: 'shot.png', type: 'image/png' });
  const { attachment } = (await response.json()) as { attachment: { id: string } };
  const send = async () => {
    const runId = newId();
    await (await db()).call('start_run', { p_id: runId, p_conversation_id: conversationId, p_model: 'claude-sonnet-4-5', p_mode: 'plan', p_owner: null });
    await sendAttachments({ conversationId, runId, ids: [attachment.id] });
    return runId;
  };
  return { conversationId, attachmentId: attachment.id, bytes, send };
}

const bodyOf = async (response: Response) => ({ status: response.status, body: (await response.json()) as unknown });
const notFound = { status: 404, body: { error: { code: 'not_found:attachment', message: 'No such attachment.' } } };

describe('the conversation route', () => {
  it('another visitor gets exactly the 404 of an unknown id; a bad id is a 400', async () => {
    const desk = browser();
    const { conversationId, attachmentId } = await withImage(desk);
    const stranger = browser();
    expect(await bodyOf(await stranger(routes.download, at(conversationId, attachmentId)))).toEqual(notFound);
    expect(await bodyOf(await desk(routes.download, at(conversationId, newId())))).toEqual(notFound);
    expect(await bodyOf(await stranger(routes.takeBack, { method: 'DELETE', ...at(conversationId, attachmentId) }))).toEqual(notFound);
    expect((await browser('other')(routes.download, at(conversationId, attachmentId))).status).toBe(404);
    expect((await desk(routes.download, at(conversationId, 'nope'))).status).toBe(400);
    // The owner still has it.
    expect((await desk(routes.download, at(conversationId, attachmentId))).status).toBe(200);
  });

  it("one of the conversation's devices (a handoff) reads it as the owner does", async () => {
    const desk = browser();
    const { conversationId, attachmentId, bytes } = await withImage(desk);
    const made = (await (await desk(routes.handoff, { method: 'POST', url: `/api/conversations/${conversationId}/handoff`, params: { id: conversationId } })).json()) as { url: string };
    const phone = browser();
    const token = made.url.split('#handoff=')[1]!;
    const redeemed = await phone(routes.redeem, { method: 'POST', url: '/api/handoff', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    expect(redeemed.status).toBe(200);
    const download = await phone(routes.download, at(conversationId, attachmentId));
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('a sent attachment stays with its message: it cannot be taken back (409)', async () => {
    const desk = browser();
    const { conversationId, attachmentId, send } = await withImage(desk);
    const runId = await send();
    const taken = await desk(routes.takeBack, { method: 'DELETE', ...at(conversationId, attachmentId) });
    expect(await bodyOf(taken)).toMatchObject({ status: 409, body: { error: { code: 'conflict:attachment_sent' } } });
    const listed = await desk(routes.list, { url: `/api/conversations/${conversationId}/attachments`, params: { id: conversationId } });
    expect(await listed.json()).toMatchObject({ attachments: [{ id: attachmentId, runId }] });
  });

  it('deleting the conversation deletes its attachments: the same id opened again has none', async () => {
    const desk = browser();
    const { conversationId, attachmentId, send } = await withImage(desk);
    await send();
    await upload(routes, desk, { conversationId, bytes: Buffer.from('unsent'), name: 'notes.txt' });
    const deleted = await desk(routes.deleteConversation, { method: 'DELETE', url: `/api/conversations/${conversationId}`, params: { id: conversationId } });
    expect(await deleted.json()).toEqual({ deleted: [conversationId] });
    expect(await bodyOf(await desk(routes.download, at(conversationId, attachmentId)))).toEqual(notFound);
    // Rows left behind would show up again under the id: a new upload starts the conversation afresh.
    await upload(routes, desk, { conversationId, bytes: Buffer.from('new'), name: 'new.txt' });
    const listed = (await (await desk(routes.list, { url: `/api/conversations/${conversationId}/attachments`, params: { id: conversationId } })).json()) as { attachments: Array<{ name: string }> };
    expect(listed.attachments.map((attachment) => attachment.name)).toEqual(['new.txt']);
  });
});

describe('the share link', () => {
  const sharedRead = (attachmentId: string, headers: Record<string, string>, host = 'demo.localhost:3000') =>
    routes.shared(new NextRequest(`http://127.0.0.1:3000/api/shared/attachments/${attachmentId}`, { headers: { host, ...headers } }), { params: Promise.resolve({ attachmentId }) });

  it("reads what was sent with the shared conversation's messages, with its token alone, and nothing else", async () => {
    const desk = browser();
    const { conversationId, attachmentId, bytes, send } = await withImage(desk);
    const shared = (await (await desk(routes.share, { method: 'POST', url: `/api/conversations/${conversationId}/share`, params: { id: conversationId } })).json()) as { url: string };
    const token = shared.url.split('#share=')[1]!;

    // Waiting in the owner's composer: not part of what is shared yet.
    expect(await bodyOf(await sharedRead(attachmentId, { 'x-share-token': token }))).toEqual(notFound);
    await send();
    const read = await sharedRead(attachmentId, { 'x-share-token': token });
    expect(read.status).toBe(200);
    expect(Buffer.from(await read.arrayBuffer()).equals(bytes)).toBe(true);
    expect(Object.fromEntries(read.headers)).toMatchObject({ 'content-type': 'image/png', 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'none'; sandbox" });
    expect(read.headers.get('set-cookie')).toBeNull();

    const elsewhere = await withImage(desk);
    await elsewhere.send();
    expect(await bodyOf(await sharedRead(elsewhere.attachmentId, { 'x-share-token': token }))).toEqual(notFound);
    expect((await sharedRead(attachmentId, {})).status).toBe(404);
    expect((await sharedRead(attachmentId, { 'x-share-token': token }, 'other.localhost:3000')).status).toBe(404);
    expect((await sharedRead('nope', { 'x-share-token': token })).status).toBe(400);
  });
});
