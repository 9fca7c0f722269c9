/**
 * The sandbox's parts on this machine (CI installs bubblewrap and socat): the probe, the
 * arguments, and the cgroup limits of a real sandboxed process.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bubblewrapArgs, probeSandbox, type SandboxSpec } from './bubblewrap';
import { createCgroup, sweepCgroups } from './cgroup';
import { spawnSandboxed } from './sandboxed-process';

const dir = mkdtempSync(path.join(tmpdir(), 'tether-sandbox-parts-'));
// Cgroup names must not collide with another run's (or another test file's) groups.
const unique = (name: string) => `${name}-${path.basename(dir).slice(-6)}`;

const spec = (overrides: Partial<SandboxSpec> = {}): SandboxSpec => ({
  mounts: [],
  forwards: [],
  env: { PATH: '/usr/bin:/bin' },
  cwd: '/',
  limits: { fileSizeBytes: 1 << 20, openFiles: 64, tmpBytes: 8 << 20 },
  command: ['true'],
  ...overrides,
});

function run(child: ReturnType<typeof spawnSandboxed>['child']): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

describe('probeSandbox', () => {
  it('finds a working sandbox with socat on this machine', () => {
    expect(probeSandbox('bwrap')).toEqual({ available: true });
  });

  it('says bubblewrap is missing', () => {
    expect(probeSandbox('/nonexistent/bwrap')).toEqual({ available: false, reason: 'bubblewrap is not installed (no /nonexistent/bwrap)' });
  });

  it('says when the kernel refuses the namespaces', () => {
    const refusing = path.join(dir, 'bwrap-refused');
    writeFileSync(refusing, '#!/bin/sh\necho "bwrap: No permissions to create new namespace, likely because the kernel does not allow non-privileged user namespaces." >&2\nexit 1\n');
    chmodSync(refusing, 0o755);
    const probe = probeSandbox(refusing);
    expect(probe.available).toBe(false);
    expect(!probe.available && probe.reason).toMatch(/kernel may refuse unprivileged user namespaces \(bwrap: No permissions to create new namespace/);
  });
});

describe('bubblewrapArgs', () => {
  it('mounts read-only unless asked, freezes the root after the mounts, and clears the environment', () => {
    const args = bubblewrapArgs(
      spec({
        mounts: [
          { host: '/a', inside: '/ro', writable: false },
          { host: '/b', inside: '/rw', writable: true },
        ],
      }),
    );
    expect(args.join(' ')).toContain('--ro-bind /a /ro --bind /b /rw --remount-ro /');
    for (const flag of ['--unshare-all', '--unshare-user', '--disable-userns', '--die-with-parent', '--new-session', '--clearenv']) expect(args).toContain(flag);
    expect(args.indexOf('--clearenv')).toBeLessThan(args.indexOf('--setenv'));
    expect(args.slice(args.indexOf('--cap-drop'), args.indexOf('--cap-drop') + 2)).toEqual(['--cap-drop', 'ALL']);
  });
});

describe('a sandboxed process', () => {
  it('sees none of the host outside its mounts, and none of its environment', async () => {
    const secret = path.join(dir, 'host-secret');
    writeFileSync(secret, 'host secret');
    const { child } = spawnSandboxed({
      bwrapPath: 'bwrap',
      spec: spec({ command: ['/bin/sh', '-c', `cat ${secret}; ls /; env`] }),
      cgroup: { name: unique('visibility'), memoryBytes: 256 << 20, maxProcesses: 32 },
    });
    const { stdout, stderr } = await run(child);
    expect(stderr).toContain('No such file or directory');
    expect(stdout).not.toContain('host secret');
    expect(
      stdout
        .split('\n')
        .filter((line) => /^[a-z0-9]+$/.test(line))
        .sort(),
    ).toEqual(expect.arrayContaining(['dev', 'etc', 'proc', 'tmp', 'usr']));
    expect(stdout).not.toMatch(/^(root|home|var|srv|work)$/m);
    expect(stdout).not.toContain('TETHER_CGROUP_PROCS');
  });

  it('runs in a cgroup of its own with the memory and process limits, which go with it', async () => {
    const { child, limited } = spawnSandboxed({
      bwrapPath: 'bwrap',
      spec: spec({ command: ['sleep', '1'] }),
      cgroup: { name: unique('limits'), memoryBytes: 128 << 20, maxProcesses: 16 },
    });
    expect(limited).toBe(true); // this machine gives the server cgroups to make
    const exited = run(child);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const groups = readFileSync(`/proc/${child.pid}/cgroup`, 'utf8');
    const memory = groups.match(/memory:(\S*tether-\d+-limits-\S+)/)?.[1] ?? groups.match(/^0::(\S*tether-\d+-limits-\S+)$/m)?.[1];
    expect(memory).toBeDefined();
    const v2 = groups.startsWith('0::') && !groups.includes('memory:');
    const memoryDir = v2 ? path.join('/sys/fs/cgroup', memory!) : path.join('/sys/fs/cgroup/memory', memory!);
    expect(Number(readFileSync(path.join(memoryDir, v2 ? 'memory.max' : 'memory.limit_in_bytes'), 'utf8'))).toBe(128 << 20);
    await exited;
    await expect.poll(() => existsSync(memoryDir), { timeout: 3000 }).toBe(false);
  });

  it('is killed when it takes more memory than its limit', async () => {
    // A 200 MB shell variable: fine under 1 GiB (the control), fatal under 64 MB.
    const hog = (memoryBytes: number) => {
      const { child, limited } = spawnSandboxed({
        bwrapPath: 'bwrap',
        spec: spec({ command: ['/bin/bash', '-c', 'x=$(head -c 200000000 /dev/zero | tr "\\0" a); echo survived ${#x}'] }),
        cgroup: { name: unique(`hog-${memoryBytes}`), memoryBytes, maxProcesses: 16 },
      });
      expect(limited).toBe(true);
      return run(child);
    };
    expect((await hog(1 << 30)).stdout).toBe('survived 200000000\n');
    const starved = await hog(64 << 20);
    expect(starved.stdout).not.toContain('survived');
    expect(starved.code).not.toBe(0);
  });

  it("sweeps the groups of servers that are gone, and leaves a live server's alone", () => {
    const group = createCgroup(unique('mine'), { memoryBytes: 64 << 20, maxProcesses: 8 });
    const memoryFile = group!.procsFiles[0]!;
    // A group named for a pid that no longer runs (pids wrap far below this).
    const goneDir = path.join(path.dirname(path.dirname(memoryFile)), `tether-99999999-${unique('gone')}`);
    mkdirSync(goneDir);
    sweepCgroups();
    expect(existsSync(goneDir)).toBe(false);
    expect(existsSync(memoryFile)).toBe(true);
    group!.remove();
  });
});
