/**
 * Private workspaces through the real route handlers, the proxy and the operator's command line,
 * on PGlite: a stranger learns nothing (the unknown workspace's very answer), an invite makes a
 * member once and says why when it doesn't, revoking takes effect on the next request, a member's
 * handoff and share links work, and no log line holds a token. (A member's real run, and revoking
 * under an open stream, on PostgreSQL: features/access/server/private-run.test.ts.)
 */
import { createECDH, createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

type Handler = (req: NextRequest, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
const routes = {} as Record<'join' | 'invites' | 'handoff' | 'makeHandoff' | 'share' | 'shared' | 'conversation' | 'conversations' | 'subscribe', Handler>;
let conversations: typeof import('@/features/conversations/server');
let cli: typeof import('@/scripts/workspace/cli');
let proxy: typeof import('@/proxy').proxy;

beforeAll(async () => {
  // Debug level: every log line is written, so none may carry a token.
  Object.assign(process.env, { TETHER_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tether-private-')), LOG_LEVEL: 'debug' });
  const workspaces = await import('@/features/workspaces/server');
  workspaces.ensureDemoWorkspace();
  workspaces.createWorkspace({ name: 'secret', config: { access: 'invite', membersMayInvite: true } });
  workspaces.createWorkspace({ name: 'closed', config: { access: 'invite' } });
  routes.join = (await import('./route')).POST as Handler;
  routes.invites = (await import('../invites/route')).POST as Handler;
  routes.handoff = (await import('../handoff/route')).POST as Handler;
  routes.makeHandoff = (await import('../conversations/[id]/handoff/route')).POST as Handler;
  routes.share = (await import('../conversations/[id]/share/route')).POST as Handler;
  routes.shared = (await import('../shared/route')).GET as Handler;
  routes.conversation = (await import('../conversations/[id]/route')).GET as Handler;
  routes.conversations = (await import('../conversations/route')).GET as Handler;
  routes.subscribe = (await import('../push/subscribe/route')).POST as Handler;
  conversations = await import('@/features/conversations/server');
  cli = await import('@/scripts/workspace/cli');
  ({ proxy } = await import('@/proxy'));
});
afterAll(async () => (await import('@/lib/db/connection')).closeDb());

type Answer = { status: number; body: Record<string, unknown> & { error?: { code: string; message: string } }; setCookie: string | null };

/** A browser at one workspace's address: its first answer's cookie is its visitor id from then on. */
function browser(workspace = 'secret') {
  let cookie: string | null = null;
  const call = async (
    handler: Handler,
    { method = 'GET', url = '/api/x', body, params = {} }: { method?: string; url?: string; body?: unknown; params?: Record<string, string> } = {},
  ): Promise<Answer> => {
    const req = new NextRequest(`http://127.0.0.1:3000${url}`, {
      method,
      headers: {
        host: `${workspace}.localhost:3000`,
        origin: `http://${workspace}.localhost:3000`,
        'user-agent': 'Mozilla/5.0 (iPhone) Safari/605.1',
        ...(cookie ? { cookie } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const response = await handler(req, { params: Promise.resolve(params) });
    const setCookie = response.headers.get('set-cookie');
    cookie ??= setCookie?.split(';')[0] ?? null;
    return { status: response.status, body: (await response.json()) as Answer['body'], setCookie };
  };
  /** A first page visit, through the proxy as a browser makes it: it gets its cookie there. */
  const visit = async (pathname = '/') => {
    const response = await proxy(new NextRequest(`http://127.0.0.1:3000${pathname}`, { headers: { host: `${workspace}.localhost:3000`, ...(cookie ? { cookie } : {}) } }));
    cookie ??= response.headers.get('set-cookie')?.split(';')[0] ?? null;
    return new URL(response.headers.get('x-middleware-rewrite')!).pathname;
  };
  return Object.assign(call, { visit, visitorId: () => cookie?.split('=')[1]?.split('.')[0] });
}

/** The command line as the operator runs it, its output captured. */
async function workspaceCommand(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await cli.main(argv, { out: (line = '') => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function member(workspace = 'secret', ...flags: string[]) {
  const made = await workspaceCommand('invite', workspace, ...flags);
  expect(made).toMatchObject({ code: 0, out: expect.stringMatching(new RegExp(`^http://${workspace}\\.localhost:3000/join#[\\w-]{43}$`)) });
  const phone = browser(workspace);
  expect(await phone.visit('/join')).toBe(`/w/${workspace}/join`);
  const joined = await phone(routes.join, { method: 'POST', url: '/api/join', body: { token: made.out.split('#')[1] } });
  expect(joined).toMatchObject({ status: 200, body: { memberId: expect.any(String) } });
  return Object.assign(phone, { token: made.out.split('#')[1]!, memberId: joined.body.memberId as string });
}

describe('a private workspace', () => {
  it("answers a stranger exactly as an address with no workspace, and shows its pages' visitors the private page", async () => {
    const id = randomUUID();
    const stranger = await browser()(routes.conversation, { url: `/api/conversations/${id}`, params: { id } });
    const nowhere = await browser('nowhere')(routes.conversation, { url: `/api/conversations/${id}`, params: { id } });
    expect(stranger).toEqual(nowhere);
    expect(stranger).toMatchObject({ status: 404, body: { error: { code: 'not_found:workspace' } }, setCookie: null });
    // Tokens that are malformed, unknown, or not JSON at all: the same answer, so trying them tells nothing.
    for (const body of [{ token: 'short' }, { token: randomBytes(32).toString('base64url') }, { nope: 1 }]) {
      expect(await browser()(routes.join, { method: 'POST', url: '/api/join', body })).toMatchObject({ status: 404, body: nowhere.body });
      expect(await browser()(routes.handoff, { method: 'POST', url: '/api/handoff', body })).toMatchObject({ status: 404, body: nowhere.body });
    }
    expect(await browser()(routes.invites, { method: 'POST', url: '/api/invites', body: {} })).toMatchObject({ status: 404, body: nowhere.body });

    const visitor = browser();
    expect(await visitor.visit('/')).toBe('/w/secret/private');
    expect(await visitor.visit('/?c=abc')).toBe('/w/secret/private');
    expect(await visitor.visit('/join')).toBe('/w/secret/join');
    expect(await browser('demo').visit('/')).toBe('/w/demo');
  });

  it('lets a browser in with an invite, once; a spent or expired invite says so; no log line holds a token', async () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    try {
      const ana = await member('secret', '--label', "Ana's phone");
      expect(await ana.visit('/')).toBe('/w/secret');
      expect(await ana(routes.conversations, { url: '/api/conversations' })).toMatchObject({ status: 200 });
      // Opening it again changes nothing for a member.
      expect(await ana(routes.join, { method: 'POST', url: '/api/join', body: { token: ana.token } })).toMatchObject({ status: 200, body: { memberId: ana.memberId } });

      const late = browser();
      const used = await late(routes.join, { method: 'POST', url: '/api/join', body: { token: ana.token } });
      expect(used).toMatchObject({ status: 409, body: { error: { code: 'conflict:invite_used', message: expect.stringContaining('Ask the person who runs this workspace for a new link') } } });
      expect((await late(routes.conversations, { url: '/api/conversations' })).status).toBe(404);

      // An invite whose week is over, as the server stores it (its token's SHA-256).
      const old = randomBytes(32).toString('base64url');
      const { db } = await import('@/lib/db/connection');
      await (await db()).call('create_invite', { p_workspace: 'secret', p_token_hash: createHash('sha256').update(old).digest('hex'), p_label: '', p_uses: 1, p_ttl_seconds: -1, p_created_by: null });
      expect(await browser()(routes.join, { method: 'POST', url: '/api/join', body: { token: old } })).toMatchObject({
        status: 409,
        body: { error: { code: 'conflict:invite_expired', message: expect.stringContaining('expired') } },
      });

      const listed = await workspaceCommand('members', 'secret');
      expect(listed.out).toMatch(new RegExp(`${ana.memberId.slice(0, 8)}\\s+Ana's phone\\s+Safari on iOS\\s+just now`));

      for (const token of [ana.token, old]) expect(written.join('')).not.toContain(token);
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('takes a revoked member back to a stranger on its next request, and stops its notifications', async () => {
    const bo = await member();
    expect((await bo(routes.conversations, { url: '/api/conversations' })).status).toBe(200);
    // A member's notifications work as anywhere; revoking stops them.
    const id = randomUUID();
    await conversations.openConversation({ id, visitorId: bo.visitorId()!, workspace: 'secret', title: 'Notify me' });
    const keys = { p256dh: createECDH('prime256v1').generateKeys().toString('base64url'), auth: randomBytes(16).toString('base64url') };
    const subscription = { endpoint: `https://fcm.googleapis.com/fcm/send/${randomUUID()}`, expirationTime: null, keys };
    expect((await bo(routes.subscribe, { method: 'POST', url: '/api/push/subscribe', body: { conversationId: id, subscription } })).status).toBe(201);
    const { db } = await import('@/lib/db/connection');
    const targets = async () => (await (await db()).call<{ subscriptions: unknown[] }>('push_targets', { p_conversation_id: id })).subscriptions;
    expect(await targets()).toHaveLength(1);
    expect(await workspaceCommand('revoke', 'secret', bo.memberId.slice(0, 8))).toMatchObject({ code: 0, out: expect.stringContaining(`Revoked ${bo.memberId.slice(0, 8)}`) });
    expect(await bo(routes.conversations, { url: '/api/conversations' })).toMatchObject({ status: 404, body: { error: { code: 'not_found:workspace' } } });
    expect(await bo.visit('/')).toBe('/w/secret/private');
    expect(await targets()).toEqual([]);
    expect(await workspaceCommand('revoke', 'secret', bo.memberId.slice(0, 8))).toMatchObject({ code: 1, err: expect.stringContaining('No member') });
    expect(await workspaceCommand('revoke', 'secret', 'not-an-id!')).toMatchObject({ code: 2 });
    expect(await workspaceCommand('--help')).toMatchObject({ code: 0, out: expect.stringContaining('npm run workspace -- revoke NAME MEMBER') });
    expect(await workspaceCommand('invite', 'nowhere')).toMatchObject({ code: 1, err: expect.stringContaining('No workspace "nowhere"') });
    expect(await workspaceCommand('invite', 'secret', '--uses', '0')).toMatchObject({ code: 2, err: expect.stringContaining('--uses') });
  });

  it("keeps a member's handoff link working: the new device becomes a member and acts in the conversation", async () => {
    const desk = await member();
    const id = randomUUID();
    await conversations.openConversation({ id, visitorId: desk.visitorId()!, workspace: 'secret', title: 'On the desk' });
    const made = await desk(routes.makeHandoff, { method: 'POST', url: `/api/conversations/${id}/handoff`, params: { id } });
    expect(made.status).toBe(201);
    const phone = browser();
    expect(await phone.visit('/')).toBe('/w/secret/private'); // where `/#handoff=…` lands, and is opened
    const opened = await phone(routes.handoff, { method: 'POST', url: '/api/handoff', body: { token: String(made.body.url).split('#handoff=')[1] } });
    expect(opened).toMatchObject({ status: 200, body: { conversationId: id } });
    expect(await phone(routes.conversation, { url: `/api/conversations/${id}`, params: { id } })).toMatchObject({ status: 200, body: { conversation: { title: 'On the desk' } } });
    expect(await phone.visit('/')).toBe('/w/secret');
    expect((await workspaceCommand('members', 'secret')).out).toContain('(opened a handoff link)');
  });

  it('keeps share links working for whoever holds one, members or not (a read-only capability the member chose to hand out)', async () => {
    const desk = await member();
    const id = randomUUID();
    await conversations.openConversation({ id, visitorId: desk.visitorId()!, workspace: 'secret', title: 'Shared' });
    const shared = await desk(routes.share, { method: 'POST', url: `/api/conversations/${id}/share`, params: { id } });
    const token = String(shared.body.url).split('#share=')[1]!;
    const read = await routes.shared(new NextRequest('http://127.0.0.1:3000/api/shared', { headers: { host: 'secret.localhost:3000', 'x-share-token': token } }), { params: Promise.resolve({}) });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ conversation: { title: 'Shared' } });
    expect(await browser().visit('/shared')).toBe('/w/secret/shared');
  });

  it('lets members make invite links in the app only where workspace.json allows it', async () => {
    const ana = await member();
    const made = await ana(routes.invites, { method: 'POST', url: '/api/invites', body: { label: 'Bo' } });
    expect(made).toMatchObject({ status: 201, body: { url: expect.stringMatching(/^http:\/\/secret\.localhost:3000\/join#[\w-]{43}$/), expiresAt: expect.any(String) } });
    const bo = browser();
    expect((await bo(routes.join, { method: 'POST', url: '/api/join', body: { token: String(made.body.url).split('#')[1] } })).status).toBe(200);
    expect((await workspaceCommand('members', 'secret')).out).toMatch(/\sBo\s/);

    const closed = await member('closed');
    expect(await closed(routes.invites, { method: 'POST', url: '/api/invites', body: {} })).toMatchObject({ status: 403, body: { error: { code: 'forbidden:invites' } } });
    expect((await browser('demo')(routes.invites, { method: 'POST', url: '/api/invites', body: {} })).status).toBe(403);
  });
  it('while the server holds the embedded database, the command line asks it over the socket in the data folder', async () => {
    const { serveOperatorChannel } = await import('@/features/access/server');
    const socketPath = path.join(process.env.TETHER_DATA_DIR!, 'operator', 'cli.sock');
    const channel = serveOperatorChannel();
    try {
      await new Promise((resolve) => (channel.listening ? resolve(null) : channel.once('listening', resolve)));
      expect(statSync(path.dirname(socketPath)).mode & 0o777).toBe(0o700);
      const cy = await member('secret', '--label', 'Cy');
      expect((await workspaceCommand('members', 'secret')).out).toMatch(/\sCy\s/);
      expect(await workspaceCommand('revoke', 'secret', cy.memberId)).toMatchObject({ code: 0 });
      expect(await workspaceCommand('revoke', 'secret', cy.memberId)).toMatchObject({ code: 1, err: expect.stringContaining('No member') });
      const refused = await new Promise<string>((resolve) => {
        const socket = connect(socketPath, () => socket.write('{"command":"drop"}\n'));
        let text = '';
        socket
          .setEncoding('utf8')
          .on('data', (chunk: string) => (text += chunk))
          .on('end', () => resolve(text));
      });
      expect(JSON.parse(refused)).toMatchObject({ ok: false, code: 'bad_request:invalid_body' });
    } finally {
      await new Promise((resolve) => channel.close(resolve));
    }
    expect(existsSync(socketPath)).toBe(false);
    // Nobody listening: the command line opens the database itself again.
    expect((await workspaceCommand('members', 'secret')).code).toBe(0);
  });
});
