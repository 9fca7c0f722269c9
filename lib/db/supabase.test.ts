/**
 * PostgREST cannot run here, so a small fake stands in for it: it records what supabase-js
 * sends and executes `POST /rest/v1/rpc/<fn>` against the real SQL functions on PGlite,
 * answering the way PostgREST does (200 + JSON value, `null` for NULL, 204 for void,
 * `{code, message, details, hint}` with a 4xx on errors).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defineDbContract } from '@/tests/contracts/db-contract';
import { DbError, openDb, type Db } from './index';
import { applyMigrations } from './migrate';
import { pgliteSession } from './pglite';
import { buildCall, VOID_OID } from './sql-call';

type Recorded = { method: string; path: string; headers: Record<string, unknown>; body: unknown; status: number };

const KEY = 'service-role-key-for-tests';

// PostgREST's SQLSTATE → HTTP status mapping, for the codes Tether's functions can raise.
const statusFor = (code: string) => ({ '23503': 409, '23505': 409, '42501': 403, '42883': 404 })[code] ?? 400;

async function startFakePostgrest(pg: PGlite) {
  const requests: Recorded[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body: unknown = text ? JSON.parse(text) : undefined;
    const send = (status: number, json?: unknown) => {
      requests.at(-1)!.status = status;
      res.writeHead(status, json === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' });
      res.end(json === undefined ? undefined : JSON.stringify(json));
    };
    requests.push({ method: req.method!, path: req.url!, headers: req.headers, body, status: 0 });

    const fn = /^\/rest\/v1\/rpc\/([a-z_]+)$/.exec(req.url ?? '')?.[1];
    if (req.method !== 'POST' || !fn) return send(404, { code: 'PGRST202', message: 'not found', details: null, hint: null });
    if (req.headers['content-profile'] !== 'tether') {
      return send(406, { code: 'PGRST106', message: 'The schema must be one of the following: public, graphql_public, tether', details: null, hint: null });
    }
    try {
      const { sql, params } = buildCall(fn, body as Record<string, unknown>);
      const result = await pg.query<{ result: unknown }>(sql, params);
      if (result.fields[0]?.dataTypeID === VOID_OID) return send(204);
      send(200, result.rows[0]?.result ?? null);
    } catch (error) {
      const { code = '', message = String(error), detail = null, hint = null } = error as Record<string, string | null>;
      send(statusFor(code ?? ''), { code, message, details: detail, hint });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe('supabase transport', () => {
  let pg: PGlite;
  let fake: Awaited<ReturnType<typeof startFakePostgrest>>;
  let db: Db;

  beforeAll(async () => {
    pg = await PGlite.create();
    await applyMigrations(pgliteSession(pg));
    fake = await startFakePostgrest(pg);
    db = await openDb({ kind: 'supabase', url: fake.url, serviceRoleKey: KEY });
  });
  afterAll(async () => {
    await db?.close();
    await fake?.close();
    await pg?.close();
  });
  beforeEach(() => {
    fake.requests.length = 0;
  });

  it('sends exactly one PostgREST rpc request per call', async () => {
    const args = {
      p_id: '6f1c1f5e-8d7b-4c1e-9a3a-2f1b0c9d8e7f',
      p_visitor_id: 'visitor-a',
      p_workspace: 'demo',
      p_title: 'Hi',
      p_ttl_seconds: 60,
    };
    const conversation = await db.call('open_conversation', args);

    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/rest/v1/rpc/open_conversation', body: args, status: 200 });
    expect(request!.headers).toMatchObject({
      'content-profile': 'tether',
      apikey: KEY,
      authorization: `Bearer ${KEY}`,
      'content-type': 'application/json',
    });
    expect(conversation).toMatchObject({ id: args.p_id, visitorId: 'visitor-a', title: 'Hi' });
  });

  it('maps NULL and void results to null', async () => {
    const missing = { p_id: '00000000-0000-4000-8000-000000000000', p_visitor_id: 'v', p_workspace: 'w' };
    expect(await db.call('get_conversation', missing)).toBeNull();
    expect(fake.requests[0]).toMatchObject({ status: 200 });
    expect(await db.call('set_session', { p_id: missing.p_id, p_sdk_session_id: 's', p_ttl_seconds: 60 })).toBeNull();
    expect(fake.requests[1]).toMatchObject({ path: '/rest/v1/rpc/set_session', status: 204 });
  });

  it('turns a PostgREST error response into a DbError', async () => {
    const error = await db.call('list_runs', { p_conversation_id: 'nope' }).catch((e: unknown) => e);
    expect(fake.requests[0]).toMatchObject({ status: 400 });
    expect(error).toBeInstanceOf(DbError);
    expect(error).toMatchObject({ fn: 'list_runs', code: '22P02' });
    expect((error as Error).message).toMatch(/^tether\.list_runs failed: invalid input syntax for type uuid/);
  });

  it('turns an unreachable API into a DbError', async () => {
    const down = await openDb({ kind: 'supabase', url: 'http://127.0.0.1:9', serviceRoleKey: KEY });
    await expect(down.call('purge_expired')).rejects.toBeInstanceOf(DbError);
  });

  it('uses the fetch it is given', async () => {
    const seen: string[] = [];
    const viaFetch = await openDb({
      kind: 'supabase',
      url: fake.url,
      serviceRoleKey: KEY,
      fetch: (input, init) => {
        seen.push(String(input instanceof Request ? input.url : input));
        return fetch(input, init);
      },
    });
    expect(await viaFetch.call('list_runs', { p_conversation_id: '00000000-0000-4000-8000-000000000000' })).toEqual([]);
    expect(seen).toEqual([`${fake.url}/rest/v1/rpc/list_runs`]);
  });

  defineDbContract(() => db);
});
