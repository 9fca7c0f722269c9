/**
 * Redis for a test run: the one on the port if it answers PING, otherwise a `redis-server` of
 * this run's own (no persistence) under the test folder, on that port when nothing listens there
 * and on a free one when something else does.
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { askPort, freePort, waitFor, type PortState, type TestService } from './ports';

const run = promisify(execFile);

export async function probeRedis(port: number): Promise<PortState> {
  // An inline command: any Redis answers it, and a password-protected one answers -NOAUTH (unusable).
  const { result, reply } = await askPort({ port, request: 'PING\r\n', answered: (text) => text.includes('\r\n') });
  if (result === 'refused') return 'free';
  return result === 'answered' && reply.startsWith('+PONG\r\n') ? 'usable' : 'taken';
}

export async function ensureRedis({ port, dir }: { port: number; dir: string }): Promise<TestService> {
  const state = await probeRedis(port);
  if (state === 'usable') return { url: `redis://127.0.0.1:${port}`, started: false, stop: async () => {} };
  const chosen = state === 'free' ? port : await freePort();
  // Absolute: a daemonized redis-server changes its working folder to /.
  return startRedis({ port: chosen, dir: path.resolve(dir, 'redis') });
}

async function startRedis({ port, dir }: { port: number; dir: string }): Promise<TestService> {
  mkdirSync(dir, { recursive: true });
  const options = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
  await run('redis-server', [...options, '--daemonize', 'yes', '--pidfile', path.join(dir, 'redis.pid'), '--logfile', path.join(dir, 'redis.log')]);
  await waitFor({ probe: () => probeRedis(port), want: 'usable', what: `redis-server on port ${port} (log: ${dir}/redis.log)` });
  return {
    url: `redis://127.0.0.1:${port}`,
    started: true,
    stop: async () => {
      await askPort({ port, request: 'SHUTDOWN NOSAVE\r\n', answered: () => false });
      await waitFor({ probe: () => probeRedis(port), want: 'free', what: `redis-server on port ${port}` });
    },
  };
}
