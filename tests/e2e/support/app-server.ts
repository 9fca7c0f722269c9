import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const repo = path.resolve(import.meta.dirname, '../../..');
const nextBin = path.join(repo, 'node_modules/next/dist/bin/next');

export type AppServer = { port: number; child: ChildProcess; exited: Promise<number | null> };

/**
 * A second `next start` of the build the test run already made, with its own data folder, for
 * tests that stop and restart the server. Resolves once /api/health answers.
 */
export async function startAppServer({ port, dataDir, env = {} }: { port: number; dataDir: string; env?: Record<string, string> }): Promise<AppServer> {
  const child = spawn(process.execPath, [nextBin, 'start', '-p', String(port)], {
    cwd: repo,
    // The default disk reserve (2 GB free) would refuse sends on a small CI disk.
    env: { ...process.env, TETHER_DATA_DIR: dataDir, LOG_LEVEL: 'warn', TETHER_DISK_RESERVE_MB: '100', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const up = await fetch(`http://127.0.0.1:${port}/api/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (up) return { port, child, exited };
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  child.kill('SIGKILL');
  throw new Error('next start did not become healthy within 60 s');
}
