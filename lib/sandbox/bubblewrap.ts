import { spawnSync } from 'node:child_process';
import { lstatSync, readlinkSync } from 'node:fs';

/**
 * The arguments that start one command inside a bubblewrap sandbox: new user, PID, IPC, UTS,
 * cgroup and network namespaces; no capabilities, no new privileges (bwrap always sets
 * PR_SET_NO_NEW_PRIVS), killed with its parent; a file system holding only the system folders
 * read-only and the mounts asked for. Its network has loopback only: each `forward` is a
 * loopback port that socat, inside, connects to a Unix socket the server listens on (bound in
 * through a mount) — the only ways out.
 */

export type SandboxMount = { host: string; inside: string; writable: boolean };
export type SandboxForward = { port: number; socket: string };
export type SandboxLimits = { fileSizeBytes: number; openFiles: number; tmpBytes: number };

export type SandboxSpec = {
  mounts: SandboxMount[];
  /** Single files to show read-only (host → inside), e.g. a synthetic /etc/passwd. */
  files?: SandboxMount[];
  forwards: SandboxForward[];
  env: Record<string, string>;
  cwd: string;
  limits: SandboxLimits;
  command: string[];
};

/** The user the sandboxed process runs as (mapped to the server's own user outside). */
export const SANDBOX_UID = 1000;
export const SANDBOX_PATH = '/usr/local/bin:/usr/bin:/bin';

// Read-only pieces of /etc that ordinary tools need: no host users, no host names, no secrets.
const ETC_READ_ONLY = ['/etc/alternatives', '/etc/ssl', '/etc/ca-certificates', '/etc/ld.so.cache', '/etc/localtime'];
const SYSTEM_DIRS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

export function bubblewrapArgs(spec: SandboxSpec): string[] {
  const { mounts, files = [], forwards, env, cwd, limits, command } = spec;
  return [
    '--unshare-all',
    '--unshare-user',
    '--uid',
    String(SANDBOX_UID),
    '--gid',
    String(SANDBOX_UID),
    '--disable-userns',
    '--cap-drop',
    'ALL',
    '--die-with-parent',
    '--new-session',
    '--clearenv',
    ...Object.entries(env).flatMap(([name, value]) => ['--setenv', name, value]),
    '--ro-bind',
    '/usr',
    '/usr',
    ...systemDirs(),
    ...ETC_READ_ONLY.flatMap((file) => ['--ro-bind-try', file, file]),
    ...files.flatMap((file) => ['--ro-bind', file.host, file.inside]),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--size',
    String(limits.tmpBytes),
    '--tmpfs',
    '/tmp',
    ...mounts.flatMap((mount) => [mount.writable ? '--bind' : '--ro-bind', mount.host, mount.inside]),
    // bwrap builds the tree on a writable tmpfs: freeze it, leaving only the writable mounts and /tmp.
    '--remount-ro',
    '/',
    '--chdir',
    cwd,
    '--',
    '/usr/bin/prlimit',
    `--fsize=${limits.fileSizeBytes}`,
    `--nofile=${limits.openFiles}`,
    '--core=0',
    '--',
    '/bin/sh',
    '-c',
    forwardingScript(forwards),
    'sandbox',
    ...command,
  ];
}

/** /bin, /lib, … as the host has them: symlinks into /usr on merged-/usr systems, else read-only folders. */
function systemDirs(): string[] {
  return SYSTEM_DIRS.flatMap((dir) => {
    try {
      return lstatSync(dir).isSymbolicLink() ? ['--symlink', readlinkSync(dir), dir] : ['--ro-bind', dir, dir];
    } catch {
      return [];
    }
  });
}

/**
 * Starts one socat per forward, waits until each listens (the agent's first request must not
 * race it), then execs the command. /proc/net/tcp lists listeners as `0100007F:<PORT hex> … 0A`.
 */
function forwardingScript(forwards: SandboxForward[]): string {
  const lines = forwards.flatMap(({ port, socket }) => {
    const listening = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 0A`;
    return [
      `socat TCP-LISTEN:${port},bind=127.0.0.1,fork,reuseaddr,nodelay UNIX-CONNECT:${socket} &`,
      `i=0; while ! grep -q '${listening}' /proc/net/tcp; do i=$((i+1)); if [ $i -gt 400 ]; then echo 'sandbox: the bridge on port ${port} did not start' >&2; exit 70; fi; sleep 0.005; done`,
    ];
  });
  return [...lines, 'exec "$@"'].join('\n');
}

export type SandboxProbe = { available: true } | { available: false; reason: string };

/**
 * Starts a throwaway sandbox that runs socat: proves bubblewrap is installed, the kernel lets it
 * create its namespaces, and socat (the bridge's inside half) is there.
 */
export function probeSandbox(bwrapPath: string): SandboxProbe {
  const args = bubblewrapArgs({
    mounts: [],
    forwards: [],
    env: { PATH: SANDBOX_PATH },
    cwd: '/',
    limits: { fileSizeBytes: 1 << 20, openFiles: 64, tmpBytes: 1 << 20 },
    command: ['socat', '-V'],
  });
  const result = spawnSync(bwrapPath, args, { encoding: 'utf8', timeout: 10_000 });
  if (result.error) {
    const missing = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
    return { available: false, reason: missing ? `bubblewrap is not installed (no ${bwrapPath})` : result.error.message };
  }
  if (result.status === 0) return { available: true };
  const stderr = result.stderr.trim().split('\n').at(-1) ?? '';
  if (/socat/.test(stderr)) return { available: false, reason: `socat is not installed (${stderr})` };
  return { available: false, reason: `bubblewrap could not create its namespaces; the kernel may refuse unprivileged user namespaces (${stderr || `exit ${result.status}`})` };
}
