/**
 * PostgreSQL for a test run: the server on the port if the `postgres` role gets in without a
 * password, otherwise a cluster of this run's own (trust auth, loopback only, no fsync) under the
 * test folder, on that port when nothing listens there and on a free one when something else does
 * (Debian's own cluster asks for a password on 127.0.0.1, so it counts as something else).
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort, waitFor, type PortState, type TestService } from './ports';

const run = promisify(execFile);
const DATABASE = 'test';

export async function probePostgres(port: number): Promise<PortState> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 3000 });
  // A half-open connection's late errors must not become uncaught ones.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return 'usable';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ECONNREFUSED' ? 'free' : 'taken';
  } finally {
    await client.end().catch(() => {});
  }
}

export async function ensurePostgres({ port, dir }: { port: number; dir: string }): Promise<TestService> {
  const state = await probePostgres(port);
  const service = state === 'usable' ? { port, started: false, stop: async () => {} } : await startPostgres({ port: state === 'free' ? port : await freePort(), dir });
  await createDatabase(service.port);
  return { url: `postgres://postgres@127.0.0.1:${service.port}/${DATABASE}`, started: service.started, stop: service.stop };
}

async function startPostgres({ port, dir }: { port: number; dir: string }) {
  const bin = postgresBin();
  const data = clusterDir(dir);
  const log = path.join(data, 'postgres.log');
  if (!existsSync(path.join(data, 'PG_VERSION'))) {
    await asPostgres(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync']);
    // Loopback only and no Unix socket (its folder may not exist here); durability is not a test's concern.
    const settings = ["listen_addresses = '127.0.0.1'", "unix_socket_directories = ''", 'max_connections = 200', 'fsync = off', 'synchronous_commit = off', 'full_page_writes = off'];
    appendFileSync(path.join(data, 'postgresql.conf'), `\n${settings.join('\n')}\n`);
  }
  const pgCtl = (args: string[]) => asPostgres(path.join(bin, 'pg_ctl'), ['-D', data, ...args]);
  // A cluster left running by a run that was killed holds the folder: stop it first.
  if (existsSync(path.join(data, 'postmaster.pid'))) await pgCtl(['-m', 'immediate', '-w', 'stop']).catch(() => {});
  await pgCtl(['-l', log, '-o', `-p ${port}`, '-w', '-t', '120', 'start']).catch((error: Error) => {
    throw new Error(`PostgreSQL did not start on port ${port} (log: ${log}): ${error.message}`);
  });
  await waitFor({ probe: () => probePostgres(port), want: 'usable', what: `PostgreSQL on port ${port}` });
  return { port, started: true, stop: async () => void (await pgCtl(['-m', 'fast', '-w', 'stop'])) };
}

async function createDatabase(port: number) {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [DATABASE]);
    if (rowCount === 0) await client.query(`create database ${DATABASE}`);
  } finally {
    await client.end();
  }
}

/** Debian and Ubuntu put the server's programs in /usr/lib/postgresql/<major>/bin, off the PATH. */
function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((name) => existsSync(path.join(root, name, 'bin', 'initdb'))) : [];
  const newest = majors.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('PostgreSQL is not installed (apt-get install -y postgresql), and nothing usable listens on the test port');
  return path.join(root, newest, 'bin');
}

const isRoot = () => process.getuid?.() === 0;

/** initdb and postgres refuse to run as root: as root, they run as the `postgres` user. */
async function asPostgres(program: string, args: string[]) {
  if (!isRoot()) return run(program, args);
  return run('runuser', ['-u', 'postgres', '--', program, ...args]);
}

/**
 * `<dir>/postgres`, owned by the `postgres` user when we are root. If that user can't reach it
 * (a checkout under a private home folder), the cluster lives under the system's temp folder.
 */
function clusterDir(dir: string): string {
  const inTestFolder = path.resolve(dir, 'postgres');
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  mkdirSync(inTestFolder, { recursive: true, mode: 0o700 });
  if (!isRoot()) return inTestFolder;
  if (reachable(inTestFolder)) return inTestFolder;
  const fallback = path.join(tmpdir(), `tether-test-postgres-${createHash('sha256').update(inTestFolder).digest('hex').slice(0, 12)}`);
  mkdirSync(fallback, { recursive: true, mode: 0o700 });
  if (!reachable(fallback)) throw new Error(`The postgres user can reach neither ${inTestFolder} nor ${fallback}`);
  return fallback;
}

function reachable(folder: string): boolean {
  try {
    execFileSync('chown', ['postgres:postgres', folder], { stdio: 'ignore' });
    execFileSync('runuser', ['-u', 'postgres', '--', 'test', '-w', folder], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
