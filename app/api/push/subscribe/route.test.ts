/**
 * The push API's contract with the browser half: validation (allow-list, https, key sizes, body
 * size), ownership (someone else's conversation is 404), and the shapes of the answers.
 */
import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type Handler = (req: NextRequest, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
let subscribeRoute: Handler;
let unsubscribeRoute: Handler;
let muteRoute: Handler;
let keyRoute: Handler;
let conversations: typeof import('@/features/conversations/server');
let queries: typeof import('@/features/push/server/queries');

beforeAll(async () => {
  Object.assign(process.env, { TETHER_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tether-push-route-')), PUSH_ALLOWED_HOSTS: '127.0.0.1', LOG_LEVEL: 'warn' });
  (await import('@/features/workspaces/server')).ensureDemoWorkspace();
  subscribeRoute = (await import('./route')).POST as Handler;
  unsubscribeRoute = (await import('../unsubscribe/route')).DELETE as Handler;
  muteRoute = (await import('../../conversations/[id]/mute/route')).PUT as Handler;
  keyRoute = (await import('../vapid-public-key/route')).GET as Handler;
  conversations = await import('@/features/conversations/server');
  queries = await import('@/features/push/server/queries');
});
afterAll(async () => (await import('@/lib/db/connection')).closeDb());

/** A visitor with a signed cookie, as the browser would have after its first request. */
async function newVisitor(): Promise<{ cookie: string; visitorId: string }> {
  const response = await keyRoute(new NextRequest('http://127.0.0.1:3000/api/push/vapid-public-key', { headers: { host: 'demo.localhost:3000' } }), { params: Promise.resolve({}) });
  const cookie = response.headers.get('set-cookie')!.split(';')[0]!;
  return { cookie, visitorId: cookie.split('=')[1]!.split('.')[0]! };
}

function call(
  handler: Handler,
  {
    method,
    url,
    body,
    cookie,
    params = {},
    type = 'application/json',
  }: {
    method: string;
    url: string;
    body: unknown;
    cookie?: string;
    params?: Record<string, string>;
    type?: string;
  },
) {
  const req = new NextRequest(`http://127.0.0.1:3000${url}`, {
    method,
    headers: { host: 'demo.localhost:3000', 'content-type': type, ...(cookie ? { cookie } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return handler(req, { params: Promise.resolve(params) });
}

function browserSubscription(endpoint = `https://127.0.0.1:8443/push/${randomUUID()}`) {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { endpoint, expirationTime: null, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') } };
}

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(await response.json()).toEqual({ error: { code, message: expect.any(String) } });
}

let owner: { cookie: string; visitorId: string };
let conversationId: string;

beforeAll(async () => {
  owner = await newVisitor();
  conversationId = randomUUID();
  await conversations.openConversation({ id: conversationId, visitorId: owner.visitorId, workspace: 'demo', title: 'mine' });
});

const subscribe = (body: unknown, cookie = owner.cookie) => call(subscribeRoute, { method: 'POST', url: '/api/push/subscribe', body, cookie });

describe('GET /api/push/vapid-public-key', () => {
  it('answers the applicationServerKey, the same every time', async () => {
    const get = () => keyRoute(new NextRequest('http://127.0.0.1:3000/api/push/vapid-public-key', { headers: { host: 'demo.localhost:3000' } }), { params: Promise.resolve({}) });
    const { publicKey } = await (await get()).json();
    expect(Buffer.from(publicKey, 'base64url')).toHaveLength(65);
    expect(publicKey).toMatch(/^[A-Za-z0-9_-]+$/);
    expect((await (await get()).json()).publicKey).toBe(publicKey);
  });
});

describe('POST /api/push/subscribe', () => {
  it('201 for the owner; several devices; a repeat is an update', async () => {
    const [phone, laptop] = [browserSubscription(), browserSubscription()];
    for (const subscription of [phone, laptop, phone]) {
      const response = await subscribe({ conversationId, subscription, showPreview: true });
      expect(response.status).toBe(201);
      expect(await response.json()).toEqual({ ok: true });
    }
    const stored = (await queries.pushTargets(conversationId))!.subscriptions;
    expect(stored.map((s) => s.endpoint).sort()).toEqual([phone.endpoint, laptop.endpoint].sort());
    expect(stored.every((s) => s.showPreview)).toBe(true);
  });

  it.each([
    ['an endpoint off the allow-list', { endpoint: 'https://attacker.example/hook' }],
    ['a cloud metadata address', { endpoint: 'https://169.254.169.254/latest/meta-data' }],
    ['a plain http endpoint', { endpoint: 'http://127.0.0.1:8443/push/x' }],
    ['a p256dh of the wrong size', { keys: { p256dh: randomBytes(33).toString('base64url'), auth: randomBytes(16).toString('base64url') } }],
    ['an auth secret of the wrong size', { keys: { p256dh: browserSubscription().keys.p256dh, auth: randomBytes(8).toString('base64url') } }],
  ])('400 for %s', async (_what, change) => {
    await expectError(await subscribe({ conversationId, subscription: { ...browserSubscription(), ...change } }), 400, 'bad_request:invalid_body');
  });

  it('400 for a missing subscription or a session id that is not a uuid', async () => {
    await expectError(await subscribe({ conversationId }), 400, 'bad_request:invalid_body');
    await expectError(await subscribe({ conversationId: 'nope', subscription: browserSubscription() }), 400, 'bad_request:invalid_body');
  });

  it('413 for an oversize body, 415 for one that is not JSON', async () => {
    await expectError(await subscribe({ conversationId, subscription: browserSubscription(), padding: 'x'.repeat(5000) }), 413, 'payload_too_large');
    await expectError(await call(subscribeRoute, { method: 'POST', url: '/api/push/subscribe', body: 'x', type: 'text/plain', cookie: owner.cookie }), 415, 'unsupported_media_type');
  });

  it("404 for another visitor's conversation, and for one that does not exist", async () => {
    const stranger = await newVisitor();
    await expectError(await subscribe({ conversationId, subscription: browserSubscription() }, stranger.cookie), 404, 'not_found:conversation');
    await expectError(await subscribe({ conversationId: randomUUID(), subscription: browserSubscription() }), 404, 'not_found:conversation');
  });
});

describe('DELETE /api/push/unsubscribe', () => {
  const unsubscribe = (body: unknown, cookie = owner.cookie) => call(unsubscribeRoute, { method: 'DELETE', url: '/api/push/unsubscribe', body, cookie });

  it('200 for the owner, again and again', async () => {
    const device = browserSubscription();
    await subscribe({ conversationId, subscription: device });
    for (let i = 0; i < 2; i++) {
      const response = await unsubscribe({ conversationId, endpoint: device.endpoint });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ ok: true });
    }
    expect((await queries.pushTargets(conversationId))!.subscriptions.map((s) => s.endpoint)).not.toContain(device.endpoint);
  });

  it("404 for someone else's conversation (their device stays); 400 for a bad body", async () => {
    const device = browserSubscription();
    await subscribe({ conversationId, subscription: device });
    const stranger = await newVisitor();
    await expectError(await unsubscribe({ conversationId, endpoint: device.endpoint }, stranger.cookie), 404, 'not_found:conversation');
    expect((await queries.pushTargets(conversationId))!.subscriptions.map((s) => s.endpoint)).toContain(device.endpoint);
    await expectError(await unsubscribe({ conversationId }), 400, 'bad_request:invalid_body');
  });
});

describe('PUT /api/conversations/:id/mute', () => {
  const mute = (body: unknown, { id = conversationId, cookie = owner.cookie } = {}) => call(muteRoute, { method: 'PUT', url: `/api/conversations/${id}/mute`, body, cookie, params: { id } });

  it('stores the flag on the server and answers it', async () => {
    const response = await mute({ muted: true });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ muted: true });
    expect((await queries.pushTargets(conversationId))!.muted).toBe(true);
    expect(await (await mute({ muted: false })).json()).toEqual({ muted: false });
  });

  it("400 for a bad body or id, 404 for someone else's conversation", async () => {
    await expectError(await mute({ muted: 'yes' }), 400, 'bad_request:invalid_body');
    await expectError(await mute({ muted: true }, { id: 'nope' }), 400, 'bad_request:invalid_params');
    const stranger = await newVisitor();
    await expectError(await mute({ muted: true }, { cookie: stranger.cookie }), 404, 'not_found:conversation');
    expect((await queries.pushTargets(conversationId))!.muted).toBe(false);
  });
});
