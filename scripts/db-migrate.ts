/**
 * `npm run db:migrate`: applies supabase/migrations to DATABASE_URL, or else to the embedded
 * PGlite database under the data root. (On Supabase the CLI applies them: `supabase db push`.)
 * Opening the database is what applies migrations, so this opens it and closes it again.
 */
import path from 'node:path';
import { openDb, type DbConfig } from '../lib/db';

const url = process.env.DATABASE_URL;
const config: DbConfig = url
  ? { kind: 'postgres', url }
  : { kind: 'pglite', dataDir: path.resolve(process.env.TETHER_DATA_DIR ?? './.data', 'db') };
const target = config.kind === 'postgres' ? 'DATABASE_URL' : config.dataDir;

const db = await openDb(config, {
  onMigrated: (versions) =>
    process.stdout.write(
      versions.length
        ? `tether: applied ${versions.join(', ')} to ${target}\n`
        : `tether: ${target} is up to date\n`,
    ),
});
await db.close();
