import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The machine's mount table, as this process sees it (`/proc/self/mountinfo`). Mounts outlive the
 * process that made them, so anything that mounts under a data folder must be able to find and
 * undo its mounts before that folder is deleted (tests, e2e, benchmarks).
 */

export type Mount = { target: string; source: string; fsType: string };

// mountinfo escapes space, tab, newline and backslash as octal (`\040`).
const unescape = (field: string) => field.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(parseInt(octal, 8)));

export function listMounts(): Mount[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      // `id parent major:minor root target options [optional fields...] - fstype source superoptions`
      const [before, after = ''] = line.split(' - ');
      const fields = before!.split(' ');
      const [fsType = '', source = ''] = after.split(' ');
      return { target: unescape(fields[4] ?? ''), source: unescape(source), fsType };
    });
}

export function isMountPoint(dir: string): boolean {
  const target = path.resolve(dir);
  return listMounts().some((mount) => mount.target === target);
}

/**
 * Detaches every mount at or below `dir`, deepest first. Lazy (`umount -l`): a process still
 * holding a file there (an agent being killed) can't make the cleanup fail, and a loop device
 * frees itself once the last user is gone. Returns the targets it detached.
 */
export function unmountUnder(dir: string): string[] {
  const root = path.resolve(dir);
  const targets = listMounts()
    .map((mount) => mount.target)
    .filter((target) => target === root || target.startsWith(root + path.sep))
    .sort((a, b) => b.length - a.length);
  for (const target of [...new Set(targets)]) execFileSync('umount', ['-l', target], { stdio: 'ignore' });
  return targets;
}

// Mounts are machine-wide and outlive this process: tests and benchmarks detach the ones they made.
const made = globalThis as { tetherMountsMadeHere?: Set<string> };

/** Notes a mount this process made, for `unmountMadeHere`. */
export function recordMountMadeHere(target: string): void {
  (made.tetherMountsMadeHere ??= new Set()).add(path.resolve(target));
}

/** Detaches every mount this process made (tests' and benchmarks' cleanup; a server keeps its mounts). */
export function unmountMadeHere(): string[] {
  const targets = [...(made.tetherMountsMadeHere ?? [])];
  made.tetherMountsMadeHere?.clear();
  return targets.flatMap((target) => unmountUnder(target));
}
