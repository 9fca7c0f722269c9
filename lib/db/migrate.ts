import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** One database connection: BEGIN/COMMIT must reach the same session as the statements. */
export type SqlSession = {
  exec(sql: string): Promise<unknown>;
  query(sql: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
};

// Any constant works; it only has to be the same for every Tether process on the database.
const LOCK_KEY = 7_461_726_865;

// RLS on: on Supabase a table in `public` is reachable with the anon key unless locked down.
const CREATE_TABLE = `
  create table if not exists public.tether_schema_migrations (
    version text primary key,
    applied_at timestamptz not null default now()
  );
  alter table public.tether_schema_migrations enable row level security;
`;

/** The Supabase CLI layout: `<version>_<name>.sql`, applied in filename order. */
export async function listMigrations(dir = path.resolve(process.cwd(), 'supabase/migrations')) {
  const files = (await readdir(/*turbopackIgnore: true*/ dir)).filter((file) => file.endsWith('.sql')).sort();
  return Promise.all(
    files.map(async (file) => {
      const version = /^(\d+)_/.exec(file)?.[1];
      if (!version) throw new Error(`migration ${file} must be named <digits>_<name>.sql`);
      return { version, file, sql: await readFile(path.join(/*turbopackIgnore: true*/ dir, file), 'utf8') };
    }),
  );
}

/**
 * Applies the migrations not yet recorded, each in its own transaction, and returns the versions
 * it applied. Every transaction first takes an advisory lock, so two processes starting at once
 * apply each migration exactly once (the second waits, then sees it recorded).
 */
export async function applyMigrations(session: SqlSession, options: { dir?: string } = {}) {
  const migrations = await listMigrations(options.dir);
  const applied: string[] = [];
  const inLockedTransaction = async (work: () => Promise<unknown>) => {
    await session.exec('begin');
    try {
      await session.exec(`select pg_advisory_xact_lock(${LOCK_KEY})`);
      await work();
      await session.exec('commit');
    } catch (error) {
      await session.exec('rollback');
      throw error;
    }
  };

  // Concurrent `create table if not exists` can still collide in the catalog: do it locked too.
  await inLockedTransaction(() => session.exec(CREATE_TABLE));

  for (const { version, file, sql } of migrations) {
    await inLockedTransaction(async () => {
      const done = await session.query('select 1 from public.tether_schema_migrations where version = $1', [version]);
      if (done.rows.length > 0) return;
      try {
        await session.exec(sql);
      } catch (error) {
        throw new Error(`migration ${file} failed: ${(error as Error).message}`, { cause: error });
      }
      await session.query('insert into public.tether_schema_migrations (version) values ($1)', [version]);
      applied.push(version);
    });
  }
  return applied;
}
