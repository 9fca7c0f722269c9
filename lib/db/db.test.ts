import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineDbContract } from '@/tests/contracts/db-contract';
import { openDb, type Db } from './index';
import { applyMigrations, listMigrations, type SqlSession } from './migrate';
import { pgliteDb, pgliteSession } from './pglite';
import { postgresSession } from './postgres';

// Roles, RLS and grants from the supabase_access migration, checked with the raw session.
function defineAccessTests(getSession: () => SqlSession) {
  it('enables row-level security on every tether table, with no policies', async () => {
    const session = getSession();
    const tables = await session.query(
      `select c.relname, c.relrowsecurity from pg_class c
        where c.relnamespace = 'tether'::regnamespace and c.relkind = 'r' order by 1`,
    );
    expect(tables.rows).toEqual([
      { relname: 'attachments', relrowsecurity: true },
      { relname: 'conversation_devices', relrowsecurity: true },
      { relname: 'conversations', relrowsecurity: true },
      { relname: 'handoff_links', relrowsecurity: true },
      { relname: 'instances', relrowsecurity: true },
      { relname: 'limit_counters', relrowsecurity: true },
      { relname: 'push_subscriptions', relrowsecurity: true },
      { relname: 'run_changes', relrowsecurity: true },
      { relname: 'run_checkpoints', relrowsecurity: true },
      { relname: 'run_snapshots', relrowsecurity: true },
      { relname: 'runs', relrowsecurity: true },
      { relname: 'share_links', relrowsecurity: true },
      { relname: 'transcript_entries', relrowsecurity: true },
      { relname: 'workspace_invites', relrowsecurity: true },
      { relname: 'workspace_members', relrowsecurity: true },
    ]);
    const policies = await session.query(`select 1 from pg_policies where schemaname = 'tether'`);
    expect(policies.rows).toEqual([]);
  });

  it.each(['anon', 'authenticated'])('%s can neither call the functions nor read the tables', async (role) => {
    const session = getSession();
    await session.exec(`set role ${role}`);
    try {
      await expect(session.query('select tether.purge_expired()')).rejects.toThrow(/permission denied/);
      await expect(session.query('select * from tether.conversations')).rejects.toThrow(/permission denied/);
      await expect(session.query('select * from tether.push_subscriptions')).rejects.toThrow(/permission denied/);
      await expect(session.query(`select tether.push_targets('00000000-0000-0000-0000-000000000000')`)).rejects.toThrow(/permission denied/);
    } finally {
      await session.exec('reset role');
    }
  });

  // Per-schema default privileges cannot take away Postgres' global EXECUTE-to-PUBLIC on new
  // functions, so every migration must lock its functions down itself: this catches one that doesn't.
  it('every tether function is executable by service_role only', async () => {
    const open = await getSession().query(
      `select p.oid::regprocedure::text as fn from pg_proc p
        where p.pronamespace = 'tether'::regnamespace
          and (has_function_privilege('anon', p.oid, 'execute')
            or has_function_privilege('authenticated', p.oid, 'execute')
            or not has_function_privilege('service_role', p.oid, 'execute'))
        order by 1`,
    );
    expect(open.rows).toEqual([]);
  });

  it('service_role can call the functions and sees the rows despite RLS', async () => {
    const session = getSession();
    const id = randomUUID();
    await session.exec('set role service_role');
    try {
      await session.query(`select tether.open_conversation($1, 'v', 'w', 't', 60)`, [id]);
      const row = await session.query('select tether.get_conversation($1, $2, $3) as c', [id, 'v', 'w']);
      expect(row.rows[0]?.c).toMatchObject({ id, title: 't' });
    } finally {
      await session.exec('reset role');
    }
  });
}

describe('pglite (in memory)', () => {
  let raw: PGlite;
  let db: Db;
  beforeAll(async () => {
    raw = await PGlite.create();
    await applyMigrations(pgliteSession(raw));
    db = pgliteDb(raw);
  });
  afterAll(() => db?.close());

  defineDbContract(() => db);
  defineAccessTests(() => pgliteSession(raw));

  it('applies migrations once', async () => {
    expect(await applyMigrations(pgliteSession(raw))).toEqual([]);
    const recorded = await raw.query('select version from public.tether_schema_migrations order by 1');
    expect(recorded.rows.map((r) => (r as { version: string }).version)).toEqual((await listMigrations()).map((m) => m.version));
  });
});

describe('openDb', () => {
  it('migrates whether or not anyone listens for the versions applied', async () => {
    const quiet = await openDb({ kind: 'pglite', dataDir: null });
    try {
      expect(await quiet.call('purge_expired', {})).toBe(0);
    } finally {
      await quiet.close();
    }
  });
});

describe('pglite (data folder)', () => {
  it('openDb creates the folder, migrates, and keeps data across reopen', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tether-db-'));
    try {
      const dataDir = path.join(dir, 'nested', 'db');
      const id = randomUUID();
      const applied: string[][] = [];
      const first = await openDb({ kind: 'pglite', dataDir }, { onMigrated: (v) => applied.push(v) });
      await first.call('open_conversation', { p_id: id, p_visitor_id: 'v', p_workspace: 'w', p_title: 'Kept', p_ttl_seconds: 60 });
      await first.close();

      const second = await openDb({ kind: 'pglite', dataDir }, { onMigrated: (v) => applied.push(v) });
      try {
        expect(applied).toEqual([(await listMigrations()).map((m) => m.version), []]);
        expect(await second.call('get_conversation', { p_id: id, p_visitor_id: 'v', p_workspace: 'w' })).toMatchObject({ title: 'Kept' });
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

const url = process.env.TEST_DATABASE_URL;

// A shared server: start from a clean tether schema so reruns work. Nothing here runs
// concurrently (describe blocks in a file run in order).
describe.runIf(url)('postgres (TEST_DATABASE_URL)', () => {
  let pool: pg.Pool;
  let client: pg.PoolClient;
  let db: Db;
  const reset = () => pool.query('drop schema if exists tether cascade; drop table if exists public.tether_schema_migrations');

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: url, max: 4 });
    await reset();
  });
  afterAll(async () => {
    client?.release();
    await db?.close();
    await pool?.end();
  });

  it('two processes migrating at once apply each migration exactly once', async () => {
    const [a, b] = await Promise.all([pool.connect(), pool.connect()]);
    try {
      const results = await Promise.all([applyMigrations(postgresSession(a)), applyMigrations(postgresSession(b))]);
      const all = (await listMigrations()).map((m) => m.version);
      expect([...results[0], ...results[1]].sort()).toEqual(all);
    } finally {
      a.release();
      b.release();
    }
  });

  it('openDb on a migrated database applies nothing new', async () => {
    db = await openDb({ kind: 'postgres', url: url! });
    client = await pool.connect();
    expect(await applyMigrations(postgresSession(client))).toEqual([]);
  });

  defineDbContract(() => db);
  defineAccessTests(() => postgresSession(client));
});
