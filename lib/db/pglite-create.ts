import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * A new data folder's `initdb`, run in a child Node process. PGlite's initdb starts a second
 * PostgreSQL (and the initdb program) beside the one that will serve, each in a WebAssembly
 * memory that never shrinks: in the server's own process ~500 MB of it stayed resident for the
 * process's life (902 MB at idle after a first start, against 404 MB after a restart). A child
 * hands all of it back when it exits, and the server then opens the folder as on any restart.
 *
 * The child resolves PGlite from the working folder, as the server finds its migrations there.
 */
const INITDB = "const { PGlite } = await import('@electric-sql/pglite'); await (await PGlite.create(process.argv[1])).close();";

/** Whether `dataDir` holds a database already (PostgreSQL's own marker of an initialised folder). */
export function hasPgliteDatabase(dataDir: string): boolean {
  return existsSync(path.join(dataDir, 'PG_VERSION'));
}

/** Creates the database in `dataDir`; the caller holds the folder's lock. */
export async function createPgliteDataDir(dataDir: string): Promise<void> {
  const present = await readdir(dataDir).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? null : Promise.reject(error)));
  if (present?.length) throw new Error(`${dataDir} holds files but no database: move them away, or point TETHER_DATA_DIR elsewhere`);
  // Built beside it and moved in whole, so a start cut short leaves no half-made database behind.
  const staging = `${dataDir}.creating`;
  await rm(staging, { recursive: true, force: true });
  await runInitdb(staging);
  await rename(staging, dataDir); // over an empty folder too (rename(2) replaces one)
}

function runInitdb(dataDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', INITDB, dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`creating the embedded database in ${dataDir} failed (${signal ?? `exit code ${code}`}):\n${stderr.trim()}`));
    });
  });
}
