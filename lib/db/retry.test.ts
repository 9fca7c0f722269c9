/**
 * Writes that outlast a database outage, on a real PostgreSQL behind a TCP relay the test cuts
 * and restores: retried until the database answers, in order per key, counted in the backlog
 * meanwhile; refused ones are not retried; requests meanwhile answer 503.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { scratchPostgres } from '@/tests/fixtures/scratch-services';
import { startTcpRelay, type TcpRelay } from '@/tests/fixtures/tcp-relay';
import { errorAnswer } from '../http';
import { backlog, backlogCleared } from './backlog';
import { isTransientDbError, DbError } from './errors';
import { openDb, type Db } from './index';
import { retryWrite } from './retry';

let scratch: Awaited<ReturnType<typeof scratchPostgres>>;
let relay: TcpRelay;
let database: Db;

beforeAll(async () => {
  scratch = await scratchPostgres('tether_retry');
  relay = await startTcpRelay(scratch.url);
  database = await openDb({ kind: 'postgres', url: relay.url });
});

afterAll(async () => {
  await relay?.restore();
  await database?.close();
  await relay?.close();
  await scratch?.release();
});

async function newConversation(): Promise<string> {
  const id = randomUUID();
  await database.call('open_conversation', { p_id: id, p_visitor_id: 'v', p_workspace: 'w', p_title: 't', p_ttl_seconds: 3600 });
  return id;
}

const mapping = async (id: string) => (await database.call<{ sdkSessionId: string | null }>('get_conversation', { p_id: id, p_visitor_id: 'v', p_workspace: 'w' })).sdkSessionId;
const mapTo = (id: string, session: string) => () => database.call('set_session', { p_id: id, p_sdk_session_id: session, p_ttl_seconds: 3600 });

describe('writes through a database outage', () => {
  it('wait while the database is away, in order per key, counted in the backlog, and land when it is back', async () => {
    const id = await newConversation();
    await relay.cut();
    try {
      const first = retryWrite({ what: 'test mapping', key: id, write: mapTo(id, 'first') });
      const second = retryWrite({ what: 'test mapping', key: id, write: mapTo(id, 'second') });
      expect(await first.first).toBe('pending');
      expect(await second.first).toBe('pending');
      expect(backlog().writes).toBe(2);
      // Meanwhile a request that needs the database answers 503, at once, saying why.
      const refused = await database.call('get_conversation', { p_id: id, p_visitor_id: 'v', p_workspace: 'w' }).catch((error: unknown) => error);
      expect(errorAnswer(refused)).toMatchObject({ status: 503, body: { error: { code: 'unavailable:database' } }, headers: { 'retry-after': '5' } });
    } finally {
      await relay.restore();
    }
    expect(await backlogCleared(30_000)).toBe(true);
    expect(backlog()).toEqual({ transcriptLines: 0, writes: 0 });
    expect(await mapping(id)).toBe('second');
  });

  it('lands at the first try while the database answers, with no backlog', async () => {
    const id = await newConversation();
    const write = retryWrite({ what: 'test mapping', key: id, write: mapTo(id, 'now') });
    expect(await write.first).toBe('landed');
    expect(backlog().writes).toBe(0);
    expect(await mapping(id)).toBe('now');
  });

  it('does not retry a write the database refuses', async () => {
    const calls = vi.fn(() => database.call('set_session', { p_id: 'not-a-uuid', p_sdk_session_id: 's', p_ttl_seconds: 1 }));
    const write = retryWrite({ what: 'test refused', write: calls });
    expect(await write.first).toBe('refused');
    await expect(write.landed).rejects.toThrow(DbError);
    expect(calls).toHaveBeenCalledTimes(1);
    expect(backlog().writes).toBe(0);
  });

  it('tells an unreachable database from a refused call', () => {
    expect(isTransientDbError(new DbError('f', 'connect ECONNREFUSED 127.0.0.1:1', { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isTransientDbError(new DbError('f', 'Connection terminated unexpectedly', { cause: new Error('Connection terminated unexpectedly') }))).toBe(true);
    expect(isTransientDbError(new DbError('f', 'the database system is starting up', { code: '57P03' }))).toBe(true);
    expect(isTransientDbError(new DbError('f', 'Could not connect to the database', { code: 'PGRST001' }))).toBe(true);
    expect(isTransientDbError(new DbError('f', 'invalid input syntax for type uuid', { code: '22P02' }))).toBe(false);
    expect(isTransientDbError(new DbError('f', 'violates foreign key constraint', { code: '23503' }))).toBe(false);
    expect(isTransientDbError(new TypeError('x is not a function'))).toBe(false);
  });
});
