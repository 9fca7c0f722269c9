/**
 * A private workspace on PostgreSQL, with the real SDK and CLI against the scripted Messages API:
 * a browser that opened an invite sends a message and follows its run over the real SSE route;
 * revoking it (as the command line does, from another process's point of view: a row gone from
 * the database) cuts that open stream within seconds while the run goes on, and its next request
 * gets the unknown workspace's 404, as a stranger's does.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgentTestEnv } from '@/tests/fixtures/agent-env';
import { startApiServer, type ApiServer } from '@/tests/fixtures/api-server';
import { eventOf, SseParser, untilEnd } from '@/tests/fixtures/run-stream-client';
import { scratchPostgres } from '@/tests/fixtures/scratch-services';
import type { MessagesApi, Reply } from '@/lib/messages-api/server';
import type { RunEvent } from '@/features/timeline';

type Handler = (req: NextRequest, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

// Slow enough that the run still streams when its viewer is revoked (~9 s in all).
const script = (): Reply => ({ blocks: [{ type: 'text_chunks', chunks: Array.from({ length: 300 }, (_, i) => `w${i} `) }], delayMs: 30 });

let database: Awaited<ReturnType<typeof scratchPostgres>>;
let api: MessagesApi;
let server: ApiServer;
let access: typeof import('@/features/access/server');
let join: Handler;
let send: Handler;

beforeAll(async () => {
  database = await scratchPostgres('tether_private');
  api = await startAgentTestEnv({ responder: script, dataDir: mkdtempSync(path.join(tmpdir(), 'tether-private-run-')), env: { DATABASE_URL: database.url } });
  (await import('@/features/workspaces/server')).createWorkspace({ name: 'secret', config: { access: 'invite' } });
  access = await import('@/features/access/server');
  join = (await import('./route')).POST as Handler;
  send = (await import('../conversations/[id]/messages/route')).POST as Handler;
  server = await startApiServer();
});

afterAll(async () => {
  await server?.close();
  await api?.close();
  await (await import('@/lib/db/connection')).closeDb();
  await database?.release();
});

const host = 'secret.localhost:3000';
const post = (handler: Handler, { url, body, cookie, params = {} }: { url: string; body: unknown; cookie?: string; params?: Record<string, string> }) =>
  handler(
    new NextRequest(`http://127.0.0.1:3000${url}`, {
      method: 'POST',
      headers: { host, origin: `http://${host}`, 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
      body: JSON.stringify(body),
    }),
    { params: Promise.resolve(params) },
  );
const events = (runId: string, cookie: string) => server.request(`/api/runs/${runId}/events?after=0`, { headers: { host, cookie, accept: 'text/event-stream' } });

describe('a member of a private workspace', () => {
  it('chats after opening an invite; revoked, its open stream is cut within seconds and the workspace answers it as a stranger', async () => {
    const invite = await access.createInvite({ workspace: 'secret', origin: `http://${host}` });
    const joined = await post(join, { url: '/api/join', body: { token: invite.url.split('#')[1] } });
    expect(joined.status).toBe(200);
    const { memberId } = (await joined.json()) as { memberId: string };
    const cookie = joined.headers.get('set-cookie')!.split(';')[0]!;
    const visitorId = cookie.split('=')[1]!.split('.')[0]!;

    const conversationId = randomUUID();
    const sent = await post(send, {
      url: `/api/conversations/${conversationId}/messages`,
      params: { id: conversationId },
      cookie,
      body: { text: 'Tell me a long story', model: 'claude-sonnet-4-5', mode: 'plan' },
    });
    expect(sent.status).toBe(202);
    const { run: started } = (await sent.json()) as { run: { id: string } };
    const run = await (await import('@/features/runs/server')).requireRun({ runId: started.id, visitorId, workspace: 'secret' });
    const ended = untilEnd(run);

    const stream = await events(started.id, cookie);
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    const parser = new SseParser();
    const seen: RunEvent[] = [];
    const readUntil = async (stop: () => boolean): Promise<'open' | 'cut'> => {
      while (!stop()) {
        const chunk = await reader.read().catch(() => ({ done: true as const, value: undefined }));
        if (chunk.done) return 'cut';
        for (const frame of parser.push(chunk.value)) {
          const event = eventOf(frame);
          if (event) seen.push(event);
        }
      }
      return 'open';
    };
    // The model's words arrive: the member's message really runs.
    expect(await readUntil(() => seen.some((event) => event.type === 'text'))).toBe('open');

    const revokedAt = Date.now();
    expect(await access.revokeMember({ workspace: 'secret', member: memberId.slice(0, 8) })).toBe(memberId);
    expect(await readUntil(() => false)).toBe('cut');
    expect(Date.now() - revokedAt).toBeLessThan(3 * access.MEMBERSHIP_CHECK_MS + 1000);
    expect(seen.some((event) => event.type === 'end')).toBe(false); // cut, not ended: the run goes on

    // Its reconnect, its next message, and a stranger: all the answer an address with no workspace gets.
    const nowhere = await (await server.request(`/api/runs/${started.id}/events`, { headers: { host: 'nowhere.localhost:3000', cookie } })).json();
    const again = await events(started.id, cookie);
    expect({ status: again.status, body: await again.json() }).toEqual({ status: 404, body: nowhere });
    const next = await post(send, { url: `/api/conversations/${conversationId}/messages`, params: { id: conversationId }, cookie, body: { text: 'More', model: 'claude-sonnet-4-5', mode: 'plan' } });
    expect({ status: next.status, body: await next.json() }).toEqual({ status: 404, body: nowhere });
    const stranger = await post(send, { url: `/api/conversations/${conversationId}/messages`, params: { id: conversationId }, body: { text: 'Hi', model: 'claude-sonnet-4-5', mode: 'plan' } });
    expect({ status: stranger.status, body: await stranger.json(), cookie: stranger.headers.get('set-cookie') }).toEqual({ status: 404, body: nowhere, cookie: null });

    await ended;
  });
});
