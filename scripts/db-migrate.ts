/**
 * `npm run db:migrate`: applies supabase/migrations to the database the server would use
 * (DATABASE_URL, or the embedded PGlite under the data root). On Supabase the Supabase CLI
 * applies them (`supabase db push`). Opening the database is what applies migrations.
 */
import { openDb } from '@/lib/db';
import { dbConfigFromEnv } from '@/lib/db/connection';

const config = dbConfigFromEnv();
if (config.kind === 'supabase') {
  process.stdout.write('tether: on Supabase, apply supabase/migrations with the Supabase CLI: supabase db push\n');
  process.exit(0);
}
const target = config.kind === 'postgres' ? 'DATABASE_URL' : config.dataDir;
const db = await openDb(config, {
  onMigrated: (versions) => process.stdout.write(versions.length ? `tether: applied ${versions.join(', ')} to ${target}\n` : `tether: ${target} is up to date\n`),
});
await db.close();
