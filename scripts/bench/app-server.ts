import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const repo = path.resolve(import.meta.dirname, '../..');
const nextBin = path.join(repo, 'node_modules/next/dist/bin/next');
const probe = path.join(import.meta.dirname, 'server-probe.mjs');

/** A `next start` of the production build, addressed as the demo workspace. `pid`: the `next start` process. */
export type AppServer = {
  port: number;
  host: string;
  pid: number;
  /** SIGTERM (the server drains), then SIGKILL after 30 s. */
  stop: () => Promise<void>;
  /** SIGKILL, the server and its agents: a crash. */
  kill: () => Promise<void>;
  collectGarbage: () => Promise<MemoryUsage>;
};

/** `process.memoryUsage()` of the server right after a full garbage collection (see server-probe.mjs). */
export type MemoryUsage = { rss: number; heapUsed: number; external: number; arrayBuffers: number };

export function ensureBuild(): void {
  if (existsSync(path.join(repo, '.next/BUILD_ID'))) return;
  console.log('bench: no production build in .next, running `next build` (a few minutes)…');
  const build = spawnSync(process.execPath, [nextBin, 'build'], { cwd: repo, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('next build failed');
}

/**
 * A private copy of the build to serve from: `npm test` and `next build` rewrite .next in
 * place, which would pull files from under a running server. The copy leaves out the build
 * caches; the rest of the project is linked (next.config.ts reads lib/, chunks need node_modules).
 */
export function snapshotBuild(target: string): string {
  const buildId = () => readFileSync(path.join(repo, '.next/BUILD_ID'), 'utf8');
  for (let attempt = 1; ; attempt++) {
    const before = buildId();
    mkdirSync(target, { recursive: true });
    cpSync(path.join(repo, '.next'), path.join(target, '.next'), {
      recursive: true,
      filter: (source) => !['cache', 'dev', 'trace', 'trace-build', 'lock'].includes(path.relative(path.join(repo, '.next'), source)),
    });
    // A build that started meanwhile would have changed or removed BUILD_ID: copy again.
    if (existsSync(path.join(repo, '.next/BUILD_ID')) && buildId() === before) break;
    if (attempt === 3) throw new Error('.next kept changing while it was copied (a build is running?)');
  }
  // The server reads supabase/migrations from its cwd at start.
  for (const name of ['node_modules', 'lib', 'public', 'supabase', 'package.json', 'next.config.ts', 'tsconfig.json']) {
    symlinkSync(path.join(repo, name), path.join(target, name));
  }
  return target;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Every server we start, so an error or Ctrl-C still stops them (and their CLI children).
const running = new Set<{ child: ChildProcess; stop: () => Promise<void> }>();
function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}
process.on('exit', () => running.forEach(({ child }) => killGroup(child, 'SIGKILL')));

export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map((entry) => entry.stop()));
}

export async function startAppServer({ root, dataDir, env }: { root: string; dataDir: string; env: Record<string, string> }): Promise<AppServer> {
  const port = await freePort();
  const probeFile = `${dataDir}.probe.json`;
  // The embedded database and no Redis, whatever the shell has configured, unless `env` says otherwise.
  const inherited: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['DATABASE_URL', 'SUPABASE_URL', 'SUPABASE_SERVICE_ROLE_KEY', 'REDIS_URL']) delete inherited[name];
  const childEnv: NodeJS.ProcessEnv = { ...inherited, ...env, TETHER_DATA_DIR: dataDir, LOG_LEVEL: 'warn', NODE_ENV: 'production', BENCH_PROBE_FILE: probeFile };
  // Its own process group, so stopping it also stops the CLI children of unfinished runs.
  const child = spawn(process.execPath, ['--import', pathToFileURL(probe).href, nextBin, 'start', '-p', String(port)], {
    cwd: root,
    env: childEnv,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const entry = {
    child,
    stop: async () => {
      // SIGTERM to the server alone, as systemd (KillMode=mixed), Docker and Kubernetes send it: it
      // drains its runs. A signal to the whole group would reach the CLIs too and end their runs.
      try {
        process.kill(child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 30_000); // a drain (TETHER_DRAIN_SECONDS) may take a while
      await exited;
      clearTimeout(timer);
      killGroup(child, 'SIGKILL'); // what is left of its group (CLIs of runs it handed over)
      running.delete(entry);
    },
    kill: async () => {
      killGroup(child, 'SIGKILL');
      await exited;
      running.delete(entry);
    },
  };
  running.add(entry);
  let probes = 0;
  const collectGarbage = async (): Promise<MemoryUsage> => {
    probes += 1;
    process.kill(child.pid!, 'SIGUSR2'); // the server process only, not its group
    for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      let usage: (MemoryUsage & { count: number }) | undefined;
      try {
        usage = JSON.parse(readFileSync(probeFile, 'utf8')) as MemoryUsage & { count: number };
      } catch {
        continue; // not written yet, or caught mid-write
      }
      if (usage.count >= probes) return usage;
    }
    throw new Error('the server did not answer the memory probe in 10 s');
  };
  const server: AppServer = { port, host: `demo.localhost:${port}`, pid: child.pid!, stop: entry.stop, kill: entry.kill, collectGarbage };
  // First start creates the PGlite database (several seconds): wait for health, bounded.
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode}):\n${stderr}`);
    // A failed start-up hook leaves Next running and answering errors: give up at once.
    if (stderr.includes('loading instrumentation hook')) {
      await server.stop();
      throw new Error(`next start failed to start up:\n${stderr}`);
    }
    const health = await send(server, { path: '/api/health' }).catch(() => null);
    if (health?.status === 200) return server;
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`next start did not become healthy in 120 s:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export type Sent = { status: number; headers: IncomingHttpHeaders; body: string; bytes: number; ttfbMs: number; totalMs: number };

/** An HTTP request to the app as the demo workspace: Node can't resolve *.localhost, so connect to 127.0.0.1 and send the Host. */
export function send(
  server: AppServer,
  { method = 'GET', path: urlPath, cookie, json, raw }: { method?: string; path: string; cookie?: string; json?: unknown; raw?: { bytes: Buffer; headers: Record<string, string> } },
): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const body = raw?.bytes ?? (json === undefined ? undefined : JSON.stringify(json));
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: server.port,
        method,
        path: urlPath,
        headers: { host: server.host, ...(cookie ? { cookie } : {}), ...(raw ? raw.headers : json === undefined ? {} : { 'content-type': 'application/json' }) },
        timeout: 30_000,
      },
      (res) => {
        const ttfbMs = performance.now() - started;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const buffer = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buffer.toString('utf8'), bytes: buffer.length, ttfbMs, totalMs: performance.now() - started });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** A new visitor: the proxy sets the signed cookie on the first page visit. Returns `tether_visitor=…`. */
export async function visitorCookie(server: AppServer): Promise<string> {
  const page = await send(server, { path: '/' });
  const cookie = [page.headers['set-cookie'] ?? []].flat().find((value) => value.startsWith('tether_visitor='));
  if (!cookie) throw new Error(`GET / (status ${page.status}) set no visitor cookie`);
  return cookie.split(';')[0]!;
}
