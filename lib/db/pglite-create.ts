import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { applyMigrations, type SqlSession } from './migrate';

/**
 * A new data folder's `initdb` and first migrations, run in a child Node process. PGlite's initdb
 * starts a second PostgreSQL (and the initdb program) beside the one that will serve, each in a
 * WebAssembly memory that never shrinks, and the first migrations grow the serving one's: in the
 * server's own process ~500 MB of it stayed resident for the process's life (902 MB at idle after
 * a first start, against 404 MB after a restart). A child hands all of it back when it exits, and
 * the server then opens the folder as on any restart.
 *
 * The child resolves PGlite from the working folder, as the server finds its migrations there. It
 * answers the statements the parent's `applyMigrations` sends over IPC, so migrating stays one code path.
 */
const CHILD = `
const { PGlite } = await import('@electric-sql/pglite');
const pg = await PGlite.create(process.argv[1]);
process.on('message', async ({ id, sql, params }) => {
  try {
    const rows = params === undefined ? (await pg.exec(sql), []) : (await pg.query(sql, params)).rows;
    process.send({ id, rows });
  } catch (error) {
    process.send({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
process.on('disconnect', () => pg.close().then(() => process.exit(0), () => process.exit(1)));
process.send({ ready: true });
`;

type Answer = { id: number; rows?: Array<Record<string, unknown>>; error?: string; ready?: boolean };

/** Whether `dataDir` holds a database already (PostgreSQL's own marker of an initialised folder). */
export function hasPgliteDatabase(dataDir: string): boolean {
  return existsSync(path.join(dataDir, 'PG_VERSION'));
}

/** Creates and migrates the database in `dataDir` (the caller holds the folder's lock); returns the migrations applied. */
export async function createPgliteDataDir(dataDir: string): Promise<string[]> {
  const present = await readdir(dataDir).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? null : Promise.reject(error)));
  if (present?.length) throw new Error(`${dataDir} holds files but no database: move them away, or point TETHER_DATA_DIR elsewhere`);
  // Built beside it and moved in whole, so a start cut short leaves no half-made database behind.
  const staging = `${dataDir}.creating`;
  await rm(staging, { recursive: true, force: true });
  const applied = await inChild(staging);
  await rename(staging, dataDir); // over an empty folder too (rename(2) replaces one)
  return applied;
}

function inChild(dataDir: string): Promise<string[]> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, dataDir], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const pending = new Map<number, { resolve: (rows: Array<Record<string, unknown>>) => void; reject: (error: Error) => void }>();
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const exited = new Promise<void>((resolve, reject) => {
    const fail = (why: string) => {
      const error = new Error(`creating the embedded database in ${dataDir} failed (${why}):\n${stderr.trim()}`);
      for (const { reject: rejectCall } of pending.values()) rejectCall(error);
      reject(error);
    };
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code, signal) => (code === 0 ? resolve() : fail(signal ?? `exit code ${code}`)));
  });
  child.on('message', (answer: Answer) => {
    if (answer.ready) return markReady();
    const call = pending.get(answer.id);
    pending.delete(answer.id);
    if (answer.error === undefined) call?.resolve(answer.rows ?? []);
    else call?.reject(new Error(answer.error));
  });
  let nextId = 0;
  const ask = (sql: string, params?: unknown[]) =>
    new Promise<Array<Record<string, unknown>>>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ id, sql, params });
    });
  const session: SqlSession = { exec: (sql) => ask(sql), query: async (sql, params) => ({ rows: await ask(sql, params ?? []) }) };
  const work = (async () => {
    await Promise.race([ready, exited]);
    const applied = await applyMigrations(session);
    child.disconnect(); // the child closes the database and exits
    await exited;
    return applied;
  })();
  // A child that dies mid-way rejects `exited` (and every pending call) while `work` still waits on it.
  exited.catch(() => {});
  return work.catch(async (error: unknown) => {
    child.kill('SIGKILL');
    await exited.catch(() => {});
    throw error;
  });
}
