/**
 * The app's one door to persistence: `call('open_conversation', { p_id, ... })` runs the SQL
 * function `tether.open_conversation` (supabase/migrations) and returns its JSON result, over
 * embedded PGlite, a Postgres URL, or Supabase's REST API. Feature code wraps these calls with
 * types in its own `server/queries.ts`.
 */
import type { Db, DbConfig, OpenDbOptions } from './types';

export { DbError } from './errors';
export type { Db, DbConfig, OpenDbOptions, PgliteConfig } from './types';

/**
 * Opens the database, applying pending migrations for PGlite and Postgres (the Supabase CLI
 * applies them on Supabase). Transports are imported lazily so a deployment only loads the one
 * it uses (PGlite's WASM is large).
 */
export async function openDb(config: DbConfig, options: OpenDbOptions = {}): Promise<Db> {
  switch (config.kind) {
    case 'pglite':
      return (await import('./pglite')).openPgliteDb(config, options);
    case 'postgres':
      return (await import('./postgres')).openPostgresDb(config.url, options);
    case 'supabase':
      return (await import('./supabase')).openSupabaseDb(config);
  }
}
