/**
 * The database transcript store against the SDK's SessionStore contract (the behaviours of the
 * conformance suite in anthropics/claude-agent-sdk-typescript, examples/session-stores), plus what
 * Tether adds: every key lives inside one conversation, and goes with it. On PGlite, and on a
 * real PostgreSQL (a database of its own, created and dropped here) when TEST_DATABASE_URL is set.
 */
import { randomUUID } from 'node:crypto';
import type { SessionKey, SessionStore, SessionStoreEntry } from '@anthropic-ai/claude-agent-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '@/lib/db';
import { scratchPostgres } from '@/tests/fixtures/scratch-services';
import { entryKey } from './transcript-disk';
import { databaseTranscriptStore } from './transcript-store';

const KEY: SessionKey = { projectKey: '-workspace', sessionId: 'session-1' };
const entry = (type: string, fields: Record<string, unknown> = {}): SessionStoreEntry => ({ type, ...fields });

/** Deep equality that ignores object key order (the contract asks for deep-equal entries, not bytes). */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_, item: unknown) => (item && typeof item === 'object' && !Array.isArray(item) ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : 1))) : item));
const expectEntries = (actual: unknown, expected: SessionStoreEntry[]) => expect(canonical(actual)).toBe(canonical(expected));

function contract(label: string, open: () => Promise<Db>) {
  describe(label, () => {
    let database: Db;
    beforeAll(async () => {
      database = await open();
    });
    afterAll(() => database?.close());

    /** A fresh store: the transcripts of a new conversation. */
    async function freshStore(): Promise<{ store: SessionStore; conversationId: string }> {
      const conversationId = randomUUID();
      await database.call('open_conversation', { p_id: conversationId, p_visitor_id: 'v', p_workspace: 'w', p_title: 't', p_ttl_seconds: 3600 });
      return { store: databaseTranscriptStore(conversationId, async () => database), conversationId };
    }

    it('loads what was appended, in order, deep-equal', async () => {
      const { store } = await freshStore();
      const entries = [entry('user', { uuid: 'u1', message: { content: [{ type: 'text', text: 'hi' }] }, n: 1 }), entry('assistant', { uuid: 'u2', nested: { list: [1, 2] } })];
      await store.append(KEY, entries);
      expectEntries(await store.load(KEY), entries);
    });

    it('answers null for a key never written, main or subpath', async () => {
      const { store } = await freshStore();
      expect(await store.load(KEY)).toBeNull();
      expect(await store.load({ ...KEY, subpath: 'subagents/agent-1' })).toBeNull();
    });

    it('keeps the order of successive appends, and an empty append changes nothing', async () => {
      const { store } = await freshStore();
      await store.append(KEY, []);
      expect(await store.load(KEY)).toBeNull();
      await store.append(KEY, [entry('a')]);
      await store.append(KEY, [entry('b'), entry('c')]);
      await store.append(KEY, []);
      await store.append(KEY, [entry('d')]);
      expectEntries(await store.load(KEY), [entry('a'), entry('b'), entry('c'), entry('d')]);
    });

    it('treats uuid as an idempotency key: a retried batch adds nothing; entries without one always append', async () => {
      const { store } = await freshStore();
      const batch = [entry('user', { uuid: 'u1' }), entry('title', { title: 'x' }), entry('assistant', { uuid: 'u2' })];
      await store.append(KEY, batch);
      await store.append(KEY, batch);
      expectEntries(await store.load(KEY), [...batch, entry('title', { title: 'x' })]);
    });

    it('keeps subpaths apart from the main transcript, and project keys apart from each other', async () => {
      const { store } = await freshStore();
      await store.append(KEY, [entry('main')]);
      await store.append({ ...KEY, subpath: 'subagents/x' }, [entry('sub')]);
      await store.append({ projectKey: 'other', sessionId: KEY.sessionId }, [entry('other project')]);
      expectEntries(await store.load(KEY), [entry('main')]);
      expectEntries(await store.load({ ...KEY, subpath: 'subagents/x' }), [entry('sub')]);
      expectEntries(await store.load({ projectKey: 'other', sessionId: KEY.sessionId }), [entry('other project')]);
    });

    it("lists a project's main sessions with their modification times, subagents left out", async () => {
      const { store } = await freshStore();
      const before = Date.now() - 60_000;
      await store.append({ projectKey: 'P', sessionId: 's1' }, [entry('a')]);
      await store.append({ projectKey: 'P', sessionId: 's2' }, [entry('b')]);
      await store.append({ projectKey: 'P', sessionId: 's3', subpath: 'subagents/x' }, [entry('sub only')]);
      await store.append({ projectKey: 'Q', sessionId: 's4' }, [entry('c')]);
      const listed = await store.listSessions!('P');
      expect(listed.map((session) => session.sessionId).sort()).toEqual(['s1', 's2']);
      for (const { mtime } of listed) {
        expect(Number.isInteger(mtime)).toBe(true);
        expect(mtime).toBeGreaterThan(before);
      }
      expect(await store.listSessions!('never-seen')).toEqual([]);
    });

    it("lists a session's subpaths, never the main transcript or another session's", async () => {
      const { store } = await freshStore();
      await store.append(KEY, [entry('main')]);
      expect(await store.listSubkeys!(KEY)).toEqual([]);
      await store.append({ ...KEY, subpath: 'subagents/a' }, [entry('a')]);
      await store.append({ ...KEY, subpath: 'subagents/b' }, [entry('b')]);
      await store.append({ ...KEY, sessionId: 'other', subpath: 'subagents/c' }, [entry('c')]);
      expect((await store.listSubkeys!(KEY)).sort()).toEqual(['subagents/a', 'subagents/b']);
      expect(await store.listSubkeys!({ projectKey: 'x', sessionId: 'never' })).toEqual([]);
    });

    it('deletes a session with its subpaths, or one subpath alone; other sessions and projects stay', async () => {
      const { store } = await freshStore();
      await store.append(KEY, [entry('main')]);
      await store.append({ ...KEY, subpath: 'subagents/a' }, [entry('a')]);
      await store.append({ ...KEY, subpath: 'subagents/b' }, [entry('b')]);
      await store.append({ ...KEY, sessionId: 'other' }, [entry('other')]);
      await store.append({ ...KEY, projectKey: 'elsewhere' }, [entry('elsewhere')]);
      await store.delete!({ ...KEY, subpath: 'subagents/a' });
      expect(await store.load({ ...KEY, subpath: 'subagents/a' })).toBeNull();
      expectEntries(await store.load({ ...KEY, subpath: 'subagents/b' }), [entry('b')]);
      await store.delete!(KEY);
      expect(await store.load(KEY)).toBeNull();
      expect(await store.load({ ...KEY, subpath: 'subagents/b' })).toBeNull();
      expect(await store.listSubkeys!(KEY)).toEqual([]);
      expectEntries(await store.load({ ...KEY, sessionId: 'other' }), [entry('other')]);
      expectEntries(await store.load({ ...KEY, projectKey: 'elsewhere' }), [entry('elsewhere')]);
      await store.delete!({ projectKey: 'x', sessionId: 'never' }); // nothing there: no error
    });

    it('keeps text JSONB would refuse (NUL) and key order as written', async () => {
      const { store } = await freshStore();
      const odd = [entry('user', { uuid: 'u1', text: 'a\u0000b', z: 1, a: 2 })];
      await store.append(KEY, odd);
      const loaded = await store.load(KEY);
      expect(loaded).toEqual(odd);
      expect(Object.keys(loaded![0]!)).toEqual(['type', 'uuid', 'text', 'z', 'a']);
    });

    it('tells which entries it lacks, by uuid or (without one) by the JSON as written, so a back-fill sends only those', async () => {
      const { store, conversationId } = await freshStore();
      const kept = [entry('user', { uuid: 'u1', text: 'a\u0000b' }), entry('custom-title', { title: 'Ünïcode ✓', z: 1, a: 2 }), entry('assistant', { uuid: 'u2' })];
      await store.append(KEY, kept);
      const onDisk = [...kept, entry('custom-title', { title: 'another' }), entry('assistant', { uuid: 'u3' })];
      const missing = await database.call<number[]>('transcript_missing', {
        p_conversation_id: conversationId,
        p_project_key: KEY.projectKey,
        p_session_id: KEY.sessionId,
        p_subpath: '',
        p_keys: onDisk.map(entryKey),
      });
      expect(missing).toEqual([3, 4]);
      const elsewhere = await database.call<number[]>('transcript_missing', {
        p_conversation_id: conversationId,
        p_project_key: KEY.projectKey,
        p_session_id: KEY.sessionId,
        p_subpath: 'subagents/x',
        p_keys: kept.map(entryKey),
      });
      expect(elsewhere).toEqual([0, 1, 2]);
    });

    it("one conversation's store sees none of another's, and deleting the conversation deletes its transcript", async () => {
      const mine = await freshStore();
      const theirs = await freshStore();
      await theirs.store.append(KEY, [entry('secret')]);
      expect(await mine.store.load(KEY)).toBeNull();
      expect(await mine.store.listSessions!(KEY.projectKey)).toEqual([]);
      await database.call('delete_conversations', { p_visitor_id: 'v', p_workspace: 'w', p_ids: [theirs.conversationId] });
      expect(await theirs.store.load(KEY)).toBeNull();
    });
  });
}

contract('on PGlite', () => openDb({ kind: 'pglite', dataDir: null }));

describe.runIf(process.env.TEST_DATABASE_URL)('on PostgreSQL (TEST_DATABASE_URL)', () => {
  // A database of its own: other test files recreate the tether schema in TEST_DATABASE_URL's.
  let database: Awaited<ReturnType<typeof scratchPostgres>>;
  beforeAll(async () => {
    database = await scratchPostgres('tether_transcripts');
  });
  afterAll(() => database?.release());
  contract('a database of its own', () => openDb({ kind: 'postgres', url: database.url }));
});
