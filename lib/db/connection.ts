import { dataPath } from '../data-dir';
import { serverEnv } from '../env';
import { logger } from '../logger';
import { openDb, type Db, type DbConfig } from './index';

/** The process's one database connection, chosen by env: Supabase, else Postgres, else embedded PGlite. */
export function dbConfigFromEnv(): DbConfig {
  const env = serverEnv();
  if (env.SUPABASE_URL && env.SUPABASE_SERVICE_ROLE_KEY) {
    return { kind: 'supabase', url: env.SUPABASE_URL, serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY };
  }
  if (env.DATABASE_URL) return { kind: 'postgres', url: env.DATABASE_URL };
  return { kind: 'pglite', dataDir: dataPath('db'), sharedBuffersMb: env.TETHER_PGLITE_SHARED_BUFFERS_MB };
}

// Next gives instrumentation and route handlers separate module copies: share through globalThis.
type Global = { tetherDb?: Promise<Db> };
const store = globalThis as Global;

export function db(): Promise<Db> {
  if (!store.tetherDb) {
    const config = dbConfigFromEnv();
    store.tetherDb = openDb(config, { onMigrated: (versions) => logger.info('database ready', { kind: config.kind, migrationsApplied: versions }) });
    // A failed open (say the database was not up yet) must not poison every later call.
    store.tetherDb.catch(() => (store.tetherDb = undefined));
  }
  return store.tetherDb;
}

export async function closeDb(): Promise<void> {
  const pending = store.tetherDb;
  store.tetherDb = undefined;
  if (pending) await (await pending).close();
}
