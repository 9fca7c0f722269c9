import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { toDbError } from './errors';
import { createPgliteDataDir, hasPgliteDatabase } from './pglite-create';
import { lockPgliteDir } from './pglite-lock';
import type { Db, OpenDbOptions, PgliteConfig } from './types';
import { applyMigrations, type SqlSession } from './migrate';
import { buildCall, readResult } from './sql-call';

const DEFAULT_SHARED_BUFFERS_MB = 8;

/**
 * PostgreSQL's memory settings, passed at every start (they override the folder's postgresql.conf).
 * PGlite's WebAssembly memory only grows, so whatever PostgreSQL ever allocates stays resident, and
 * the buffer pool is resident from the start: initdb's default 128 MB of shared buffers held
 * ~150 MB, and 16 MB idled ~25 MB above 8. Tether's tables are small and the folder's files sit in
 * the kernel's page cache anyway, so a small pool costs little. maintenance_work_mem (index
 * builds, vacuum) would otherwise be allowed 64 MB.
 */
export function pgliteStartParams(sharedBuffersMb = DEFAULT_SHARED_BUFFERS_MB): string[] {
  return [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffersMb}MB`, '-c', 'maintenance_work_mem=16MB'];
}

/** Embedded Postgres: a data folder on disk, or in memory when `dataDir` is null. */
export async function openPgliteDb({ dataDir, sharedBuffersMb }: PgliteConfig, options: OpenDbOptions = {}): Promise<Db> {
  if (dataDir) await mkdir(path.dirname(dataDir), { recursive: true });
  const unlock = dataDir ? lockPgliteDir(dataDir) : () => {};
  let pg: PGlite | undefined;
  try {
    // A new folder is made and migrated in a child process (see pglite-create); in memory it can't be.
    const created = dataDir && !hasPgliteDatabase(dataDir) ? await createPgliteDataDir(dataDir) : [];
    pg = await PGlite.create({ dataDir: dataDir ?? undefined, startParams: pgliteStartParams(sharedBuffersMb) });
    // Applied first: `onMigrated?.(await …)` would skip the migrations when nobody listens.
    const applied = [...created, ...(await applyMigrations(pgliteSession(pg)))];
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
