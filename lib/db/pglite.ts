import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { toDbError } from './errors';
import { lockPgliteDir } from './pglite-lock';
import type { Db, OpenDbOptions } from './types';
import { applyMigrations, type SqlSession } from './migrate';
import { buildCall, readResult } from './sql-call';

/** Embedded Postgres: a data folder on disk, or in memory when `dataDir` is null. */
export async function openPgliteDb(dataDir: string | null, options: OpenDbOptions = {}): Promise<Db> {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const unlock = dataDir ? lockPgliteDir(dataDir) : () => {};
  let pg: PGlite | undefined;
  try {
    pg = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
    // Applied first: `onMigrated?.(await …)` would skip the migrations when nobody listens.
    const applied = await applyMigrations(pgliteSession(pg));
    options.onMigrated?.(applied);
  } catch (error) {
    await pg?.close();
    unlock();
    throw error;
  }
  const open = pgliteDb(pg);
  return { ...open, close: () => open.close().finally(unlock) };
}

// PGlite is a single connection, so it is its own session.
export function pgliteSession(pg: PGlite): SqlSession {
  return { exec: (sql) => pg.exec(sql), query: (sql, params) => pg.query(sql, params) };
}

/** Wraps an open, migrated PGlite (tests use this to keep raw access to the same instance). */
export function pgliteDb(pg: PGlite): Db {
  return {
    async call<T>(fn: string, args?: Record<string, unknown>) {
      const { sql, params } = buildCall(fn, args);
      try {
        return readResult(await pg.query<Record<string, unknown>>(sql, params)) as T;
      } catch (error) {
        throw toDbError(fn, error);
      }
    },
    close: () => pg.close(),
  };
}
