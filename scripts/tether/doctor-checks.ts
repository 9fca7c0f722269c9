import { accessSync, constants, existsSync, statfsSync } from 'node:fs';
import path from 'node:path';
import { vapidSource } from '@/features/push/server';
import { operatorStatus } from '@/features/runs/server';
import { formatBytes } from '@/features/workspaces/server';
import { dbConfigFromEnv, db } from '@/lib/db/connection';
import { listMigrations } from '@/lib/db/migrate';
import { PgliteInUseError } from '@/lib/db/pglite-lock';
import { processPath, serverEnv } from '@/lib/env';
import { redis } from '@/lib/redis';
import { probeSandbox } from '@/lib/sandbox/bubblewrap';
import { createCgroup } from '@/lib/sandbox/cgroup';

/** One line of `doctor`: what was checked, what was found, and for a problem what to do about it. */
export type Check = { name: string; ok: boolean; detail: string; fix?: string };

const REDIS_TIMEOUT_MS = 3000;
const MIB = 1024 * 1024;

/** An executable on the PATH (or at the path given), as spawn would find it; null when there is none. */
function findExecutable(name: string): string | null {
  const candidates = name.includes('/')
    ? [name]
    : processPath()
        .split(':')
        .filter(Boolean)
        .map((dir) => path.join(dir, name));
  return (
    candidates.find((file) => {
      try {
        accessSync(file, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    }) ?? null
  );
}

/** bubblewrap and socat on this machine, and a throwaway sandbox actually started with them. */
export function sandboxChecks(): Check[] {
  const bwrapPath = serverEnv().TETHER_BWRAP_PATH;
  const bwrap = findExecutable(bwrapPath);
  const socat = findExecutable('socat');
  const install = 'apt-get install -y bubblewrap socat (Debian/Ubuntu; other distributions have both)';
  const checks: Check[] = [
    bwrap ? { name: 'bubblewrap', ok: true, detail: bwrap } : { name: 'bubblewrap', ok: false, detail: `${bwrapPath} is not on the PATH`, fix: `${install}, or point TETHER_BWRAP_PATH at bwrap` },
    socat ? { name: 'socat', ok: true, detail: socat } : { name: 'socat', ok: false, detail: 'not on the PATH (the sandbox reaches the model through it)', fix: install },
  ];
  if (!bwrap || !socat) return [...checks, { name: 'sandbox', ok: false, detail: 'not tried: it needs bubblewrap and socat', fix: install }];
  const probe = probeSandbox(bwrapPath);
  if (probe.available) return [...checks, { name: 'sandbox', ok: true, detail: 'a sandbox started (namespaces, socat inside)' }];
  return [
    ...checks,
    {
      name: 'sandbox',
      ok: false,
      detail: probe.reason,
      fix:
        'run the server as root, or allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1; Ubuntu 24.04+: an AppArmor profile for bwrap); ' +
        'in a container, --security-opt seccomp=unconfined or --privileged',
    },
  ];
}

/** Whether a cgroup with memory and pids limits can be made here (as this process's cgroup allows; the server's unit may differ). */
export function cgroupCheck(): Check {
  const group = createCgroup('doctor', { memoryBytes: serverEnv().TETHER_AGENT_MEMORY_MB * MIB, maxProcesses: 16 });
  if (group) {
    group.remove();
    return { name: 'cgroups', ok: true, detail: `memory (${serverEnv().TETHER_AGENT_MEMORY_MB} MB per agent) and process limits can be set` };
  }
  return {
    name: 'cgroups',
    ok: false,
    detail: 'no cgroup with memory and pids controllers can be made: agents run without memory and process limits',
    fix: "run the server as root on cgroup v1, or on v2 delegate memory and pids to its cgroup (systemd: Delegate=memory pids in the unit's [Service])",
  };
}

/** Free space against TETHER_DISK_RESERVE_MB on the data root's filesystem and the workspaces'. */
export function diskChecks(): Check[] {
  const env = serverEnv();
  const reserve = env.TETHER_DISK_RESERVE_MB * MIB;
  if (reserve === 0) return [{ name: 'disk reserve', ok: true, detail: 'off (TETHER_DISK_RESERVE_MB=0)' }];
  return [...new Set([env.dataDir, env.workspacesDir])].map((dir) => {
    let existing = dir;
    while (!existsSync(existing)) existing = path.dirname(existing);
    const { bavail, bsize } = statfsSync(existing);
    const free = bavail * bsize;
    const detail = `${formatBytes(free)} free on ${dir}, reserve ${formatBytes(reserve)}`;
    if (free >= reserve) return { name: 'disk reserve', ok: true, detail };
    return {
      name: 'disk reserve',
      ok: false,
      detail: `${detail}: new messages are refused (503)`,
      fix: `free space on that filesystem (delete old conversations: purge --older-than 7d), or lower TETHER_DISK_RESERVE_MB`,
    };
  });
}

/** The database opens (PGlite and PostgreSQL apply pending migrations as they open) and has this version's functions. */
export async function databaseCheck(): Promise<Check> {
  const kind = dbConfigFromEnv().kind;
  const migrations = await listMigrations();
  try {
    await db();
    await operatorStatus(serverEnv().TETHER_INSTANCE_STALE_SECONDS);
    return { name: 'database', ok: true, detail: `${kind}: reachable, ${migrations.length} migrations applied (latest ${migrations.at(-1)?.version})` };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // The server holding its own PGlite folder is how it should be: it applied the migrations as it opened it.
    if (error instanceof PgliteInUseError) return { name: 'database', ok: true, detail: `pglite: held by process ${error.pid} (the server, one process at a time), so not opened from here` };
    if ((error as { code?: string }).code === '42883' || /does not exist|PGRST202/.test(message)) {
      return { name: 'database', ok: false, detail: `${kind}: reachable, but migrations are missing (${message})`, fix: 'apply them: npm run db:migrate (Supabase: supabase db push)' };
    }
    return {
      name: 'database',
      ok: false,
      detail: `${kind}: ${message}`,
      fix: kind === 'supabase' ? 'check SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY' : 'check DATABASE_URL, and that PostgreSQL is running and reachable from here',
    };
  }
}

/** Redis answers PING, when REDIS_URL is set. */
export async function redisCheck(): Promise<Check> {
  const connection = redis();
  if (!connection) return { name: 'redis', ok: true, detail: 'not configured (one instance: live events, Stop and limits stay in process)' };
  try {
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${REDIS_TIMEOUT_MS / 1000} s`)), REDIS_TIMEOUT_MS).unref());
    const reply = await Promise.race([connection.then((client) => client.ping()), timeout]);
    return { name: 'redis', ok: true, detail: `reachable (PING: ${reply})` };
  } catch (error) {
    return { name: 'redis', ok: false, detail: error instanceof Error ? error.message : String(error), fix: 'check REDIS_URL, and that Redis is running and reachable from here' };
  }
}

/** The Web Push keys: where they come from, whether every instance would push alike, and the contact. */
export function vapidCheck(): Check {
  const env = serverEnv();
  const { source, file, subject } = vapidSource();
  const shared = Boolean(env.DATABASE_URL || env.SUPABASE_URL);
  const local = env.TETHER_BASE_DOMAIN === 'localhost' || env.TETHER_BASE_DOMAIN.endsWith('.localhost');
  if (source === 'unreadable') return { name: 'vapid keys', ok: false, detail: `${file} is not a key pair`, fix: `delete ${file}: the next start makes a new pair (browsers then subscribe again)` };
  if (source !== 'environment' && shared) {
    return {
      name: 'vapid keys',
      ok: false,
      detail: `${source === 'generated' ? `generated in ${file}` : 'not generated yet'}, with a shared database: each instance would push with keys of its own`,
      fix: `set VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT, the same for every instance${source === 'generated' ? ` (the pair in ${file} keeps today's subscriptions)` : ''}`,
    };
  }
  if (source !== 'environment' && !local) {
    return {
      name: 'vapid keys',
      ok: false,
      detail: `the contact is ${subject}, a placeholder`,
      fix: 'set VAPID_SUBJECT to your own mailto: or https: contact, with the keys (VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY)',
    };
  }
  const where = source === 'environment' ? 'from the environment' : source === 'generated' ? `generated in ${file}` : `generated into ${file} at the first start`;
  return { name: 'vapid keys', ok: true, detail: `${where}, contact ${subject}` };
}
