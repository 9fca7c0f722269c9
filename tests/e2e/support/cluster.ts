import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import webpush from 'web-push';
import type { RunEvent } from '@/features/timeline';
import { unmountUnder } from '../../../lib/mounts';
import { E2E_DATA_DIR } from '../../../playwright.config';
import { followRun } from '../../../features/timeline/follower/follow-run';
import { hostFetch } from '../../fixtures/host-fetch';
import { scratchPostgres, scratchRedis } from '../../fixtures/scratch-services';
import { startAppServer, type AppServer } from './app-server';

export type Instance = { name: string; port: number; server: AppServer };

/**
 * Two `next start` instances of the test build on one PostgreSQL database and one Redis
 * database index of their own (created here, dropped by `stop()`), each with its own data
 * folder and one shared workspaces folder, behind a real nginx that sends requests round-robin
 * to them.
 */
export async function startCluster({ ports, balancerPort }: { ports: [number, number]; balancerPort: number }) {
  const database = await scratchPostgres('tether_e2e');
  const redisDb = await scratchRedis();
  // What instances on one database share through their environment (README, Deploying).
  const vapid = webpush.generateVAPIDKeys();
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL: redisDb.url,
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    VAPID_PUBLIC_KEY: vapid.publicKey,
    VAPID_PRIVATE_KEY: vapid.privateKey,
    VAPID_SUBJECT: 'mailto:tests@example.com',
    TETHER_INSTANCE_STALE_SECONDS: '3',
    // A SIGTERM drains for this long at most (a test's stop never waits ten minutes).
    TETHER_DRAIN_SECONDS: '10',
    // One shared workspaces folder, as on a shared volume: both instances see the same files.
    TETHER_WORKSPACES_DIR: `${E2E_DATA_DIR}/cluster-workspaces`,
  };
  const start = async (name: string, port: number): Promise<Instance> => ({ name, port, server: await startAppServer({ port, dataDir: `${E2E_DATA_DIR}/cluster-${name}`, env }) });
  const instances = { a: await start('a', ports[0]), b: await start('b', ports[1]) };
  const balancer = startNginx({ port: balancerPort, upstreams: ports });
  await waitUntilUp(balancerPort);

  return {
    ...instances,
    balancerPort,
    /** Stops instance `which` (SIGTERM: it drains; SIGKILL: it just dies) and starts it again. */
    async restart(which: 'a' | 'b', signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') {
      const instance = instances[which];
      instance.server.child.kill(signal);
      await instance.server.exited;
      instances[which] = await start(instance.name, instance.port);
      return instances[which];
    },
    async kill(which: 'a' | 'b') {
      instances[which].server.child.kill('SIGKILL');
      await instances[which].server.exited;
    },
    async stop() {
      balancer.child.kill('SIGTERM');
      for (const instance of Object.values(instances)) {
        instance.server.child.kill('SIGTERM');
        await instance.server.exited;
      }
      rmSync(balancer.dir, { recursive: true, force: true });
      unmountUnder(env.TETHER_WORKSPACES_DIR); // the shared workspaces' disk images
      await database.release();
      await redisDb.release();
    },
  };
}

function startNginx({ port, upstreams }: { port: number; upstreams: number[] }): { child: ChildProcess; dir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'tether-nginx-'));
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(path.join(dir, sub));
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream tether { ${upstreams.map((upstream) => `server 127.0.0.1:${upstream};`).join(' ')} }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://tether;
      proxy_http_version 1.1;
      proxy_set_header Host $http_host; # with its port: the Origin check compares it
      proxy_set_header Connection "";
      proxy_next_upstream error timeout http_503 non_idempotent; # as deploy/nginx.conf: a draining instance's 503 goes on to the other
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_buffering off;
      proxy_read_timeout 1h;
    }
  }
}
`,
  );
  const child = spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'inherit'] });
  return { child, dir };
}

async function waitUntilUp(port: number) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (
      await fetch(`http://127.0.0.1:${port}/api/health`).then(
        (response) => response.ok,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`nothing answers on port ${port}`);
}

/** An HTTP call to one instance as the demo workspace's browser (Node can't resolve *.localhost: 127.0.0.1 and a Host header). */
export function call(port: number, { method = 'GET', path: urlPath, cookie, json }: { method?: string; path: string; cookie?: string; json?: unknown }) {
  return new Promise<{ status: number; body: string; setCookie: string[]; retryAfter: string | undefined }>((resolve, reject) => {
    const body = json === undefined ? undefined : JSON.stringify(json);
    const req = request(
      { host: '127.0.0.1', port, method, path: urlPath, headers: { host: `demo.localhost:${port}`, ...(cookie ? { cookie } : {}), ...(body ? { 'content-type': 'application/json' } : {}) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, setCookie: [res.headers['set-cookie'] ?? []].flat(), retryAfter: res.headers['retry-after'] }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Follows a run's event stream on one instance until `end` (or the stream closes), with the
 * app's own follower and one connection; `onEvent` sees each event. An event its schema refuses
 * fails the follow.
 */
export async function follow(port: number, { runId, cookie, after = 0, onEvent = () => {} }: { runId: string; cookie: string; after?: number; onEvent?: (event: RunEvent) => void }) {
  const events: RunEvent[] = [];
  const ignored: string[] = [];
  const outcome = await followRun({
    url: ({ after: from }) => `/api/runs/${runId}/events?after=${from}`,
    after,
    headers: { cookie },
    fetch: hostFetch({ port, host: `demo.localhost:${port}` }),
    signal: new AbortController().signal,
    retry: false,
    onIgnored: (reason) => ignored.push(reason),
    onEvent: (event) => {
      events.push(event);
      onEvent(event);
    },
  });
  if (outcome === 'gone') throw new Error(`events on ${port}: 404`);
  if (ignored.length > 0) throw new Error(`events on ${port}: ${ignored.join('; ')}`);
  return events;
}

/** A visitor cookie from a first page visit. */
export async function visitorCookie(port: number): Promise<string> {
  const page = await call(port, { path: '/' });
  const cookie = page.setCookie.find((value) => value.startsWith('tether_visitor='));
  if (!cookie) throw new Error(`no visitor cookie from port ${port} (${page.status})`);
  return cookie.split(';')[0]!;
}
