import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isProcessAlive } from '../process-alive';

/**
 * Memory and process-count limits for one sandboxed process tree, through a cgroup made under
 * the server's own (so the limits nest inside whatever the host set). Works on cgroup v1 (one
 * hierarchy per controller) and on v2 when the server's cgroup delegates memory and pids.
 * Where the machine allows neither, `createCgroup` returns null and the caller runs without.
 * rlimits can't stand in: RLIMIT_AS breaks the CLI's runtime, and RLIMIT_NPROC counts every
 * process of the user outside the sandbox.
 */

export type CgroupLimits = { memoryBytes: number; maxProcesses: number };
export type Cgroup = { procsFiles: string[]; remove: () => void };

const ROOT = '/sys/fs/cgroup';

/**
 * Removes the cgroups left by servers that are gone (one that stopped before its last sandbox's
 * group could go), so they don't pile up. Each group's name carries its server's pid; groups of a
 * live server (another instance on this machine) and busy ones are left alone.
 */
export function sweepCgroups(): void {
  try {
    const parents = existsSync(path.join(ROOT, 'cgroup.controllers'))
      ? [ownPath('')].filter((own) => own !== null).map((own) => path.join(ROOT, own!))
      : ['memory', 'pids'].flatMap((controller) => {
          const own = ownPath(controller);
          return own === null ? [] : [path.join(ROOT, controller, own)];
        });
    for (const parent of parents) {
      const stale = readdirSync(parent)
        .filter((name) => {
          const pid = Number(/^tether-(\d+)-/.exec(name)?.[1]);
          return pid > 0 && !isProcessAlive(pid);
        })
        .map((name) => path.join(parent, name));
      removeAll(stale, 20);
    }
  } catch {
    // nothing to sweep where cgroups can't be read
  }
}

export function createCgroup(name: string, limits: CgroupLimits): Cgroup | null {
  try {
    return existsSync(path.join(ROOT, 'cgroup.controllers')) ? createV2(name, limits) : createV1(name, limits);
  } catch {
    return null;
  }
}

function createV1(name: string, { memoryBytes, maxProcesses }: CgroupLimits): Cgroup | null {
  const memory = childOf('memory', name);
  const pids = childOf('pids', name);
  if (!memory || !pids) return null;
  const made: string[] = [];
  try {
    mkdirSync(memory);
    made.push(memory);
    writeFileSync(path.join(memory, 'memory.limit_in_bytes'), String(memoryBytes));
    // Without swap accounting the file is missing; the memory limit alone still holds.
    if (existsSync(path.join(memory, 'memory.memsw.limit_in_bytes'))) writeFileSync(path.join(memory, 'memory.memsw.limit_in_bytes'), String(memoryBytes));
    mkdirSync(pids);
    made.push(pids);
    writeFileSync(path.join(pids, 'pids.max'), String(maxProcesses));
  } catch {
    removeAll(made);
    return null;
  }
  return { procsFiles: made.map((dir) => path.join(dir, 'cgroup.procs')), remove: () => removeAll(made) };
}

function createV2(name: string, { memoryBytes, maxProcesses }: CgroupLimits): Cgroup | null {
  const own = ownPath('');
  if (own === null) return null;
  const dir = path.join(ROOT, own, groupName(name));
  mkdirSync(dir);
  if (!existsSync(path.join(dir, 'memory.max')) || !existsSync(path.join(dir, 'pids.max'))) {
    removeAll([dir]);
    return null; // memory and pids are not delegated to the server's cgroup
  }
  writeFileSync(path.join(dir, 'memory.max'), String(memoryBytes));
  writeFileSync(path.join(dir, 'memory.swap.max'), '0');
  writeFileSync(path.join(dir, 'pids.max'), String(maxProcesses));
  return { procsFiles: [path.join(dir, 'cgroup.procs')], remove: () => removeAll([dir]) };
}

const groupName = (name: string) => `tether-${process.pid}-${name}`;

/** Where a v1 controller's child for this process goes, or null when that controller is not mounted. */
function childOf(controller: string, name: string): string | null {
  const own = ownPath(controller);
  if (own === null || !existsSync(path.join(ROOT, controller))) return null;
  return path.join(ROOT, controller, own, groupName(name));
}

/** This process's cgroup path for a v1 controller, or for v2 (controller ''). */
function ownPath(controller: string): string | null {
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const [, controllers, where] = line.split(':');
    if (where !== undefined && controllers!.split(',').includes(controller)) return where;
  }
  return null;
}

/** A cgroup can be removed once its last process is gone, which the kernel notes a moment after exit. */
function removeAll(dirs: string[], attempt = 0): void {
  const left = dirs.filter((dir) => {
    try {
      rmdirSync(dir);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EBUSY';
    }
  });
  if (left.length > 0 && attempt < 20) setTimeout(() => removeAll(left, attempt + 1), 50).unref();
}
