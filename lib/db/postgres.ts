import pg from 'pg';
import { toDbError } from './errors';
import type { Db, OpenDbOptions } from './types';
import { applyMigrations, type SqlSession } from './migrate';
import { buildCall, readResult } from './sql-call';

const CONNECT_TIMEOUT_MS = 3000;

/** Any Postgres reachable by URL, Supabase's connection string included. */
export async function openPostgresDb(url: string, options: OpenDbOptions = {}): Promise<Db> {
  // A database that doesn't answer a connect (a failover in progress, a dropped network) fails
  // the call within seconds instead of holding the request until the OS gives up.
  const pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // An idle client dropped by the server emits 'error' on the pool, which would crash the
  // process; the pool replaces it and the next call gets a fresh connection.
  pool.on('error', () => {});
  try {
    const client = await pool.connect();
    try {
      // Applied first: `onMigrated?.(await …)` would skip the migrations when nobody listens.
      const applied = await applyMigrations(postgresSession(client));
      options.onMigrated?.(applied);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end();
    throw error;
  }
  return postgresDb(pool);
}

/** Migrations need one connection for BEGIN … COMMIT, not whichever the pool hands out. */
export function postgresSession(client: pg.ClientBase): SqlSession {
  return { exec: (sql) => client.query(sql), query: (sql, params) => client.query(sql, params) };
}

export function postgresDb(pool: pg.Pool): Db {
  return {
    async call<T>(fn: string, args?: Record<string, unknown>) {
      const { sql, params } = buildCall(fn, args);
      try {
        return readResult(await pool.query(sql, params)) as T;
      } catch (error) {
        throw toDbError(fn, error);
      }
    },
    close: () => pool.end(),
  };
}
