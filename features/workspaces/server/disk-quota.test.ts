/**
 * The workspace disk quota on real loop-mounted ext4 images (the tests run as root): made with
 * the workspace, holding files already there, mounted exactly once however many servers look,
 * mounted again after a reboot, grown with the quota, and full at the quota.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { listMounts, unmountUnder } from '@/lib/mounts';

const MB = 1024 * 1024;
const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-quota-'));
const root = (name: string) => path.join(dataDir, 'workspaces', name);
const mountsAt = (name: string) => listMounts().filter((mount) => mount.target === path.join(root(name), 'files'));
// A restart: the next process knows nothing of what this one mounted.
const restart = () => (globalThis as { tetherDiskQuota?: { applied: Map<string, unknown> } }).tetherDiskQuota?.applied.clear();

let workspaces: typeof import('./workspaces');
let quota: typeof import('./disk-quota');
let image: typeof import('./disk-image');

beforeAll(async () => {
  Object.assign(process.env, { TETHER_DATA_DIR: dataDir, TETHER_WORKSPACE_QUOTA_MB: '32', LOG_LEVEL: 'error' });
  workspaces = await import('./workspaces');
  quota = await import('./disk-quota');
  image = await import('./disk-image');
  expect(image.imageSupport()).toEqual({ supported: true });
});

/** Writes zeros until the filesystem says no; returns the error code and how much went in. */
function fill(file: string, upTo: number): { code: string | undefined; written: number } {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(MB);
  let written = 0;
  try {
    while (written < upTo) written += writeSync(fd, chunk);
    return { code: undefined, written };
  } catch (error) {
    return { code: (error as NodeJS.ErrnoException).code, written };
  } finally {
    closeSync(fd);
  }
}

describe('a workspace disk quota', () => {
  it("puts a new workspace's files on an image of the quota's size beside workspace.json, with no lost+found", async () => {
    const alpha = workspaces.createWorkspace({ name: 'alpha', files: { 'README.md': '# Alpha\n' } });
    expect(alpha.diskQuotaBytes).toBe(32 * MB);
    expect(statSync(path.join(root('alpha'), 'files.img')).size).toBe(32 * MB);
    expect(mountsAt('alpha')).toEqual([expect.objectContaining({ fsType: 'ext4', source: expect.stringMatching(/^\/dev\/loop\d+$/) })]);
    expect(readdirSync(alpha.filesDir)).toEqual(['README.md']);
    const { listFolder } = await import('./files');
    expect(listFolder(alpha, '').entries.map((entry) => entry.name)).toEqual(['README.md']);
  });

  it('refuses writes past the quota with ENOSPC, and then says the workspace is full in real numbers', () => {
    const alpha = workspaces.findWorkspace('alpha')!;
    expect(quota.workspaceFullNotice(alpha)).toBeNull();
    const { code, written } = fill(path.join(alpha.filesDir, 'big'), 64 * MB);
    expect(code).toBe('ENOSPC');
    expect(written).toBeLessThan(32 * MB);
    // The host's own folder holds nothing of it: the bytes are inside the image.
    expect(statfsSync(alpha.filesDir).bavail * statfsSync(alpha.filesDir).bsize).toBeLessThan(MB);
    const notice = quota.workspaceFullNotice(alpha);
    expect(notice).toMatch(/^The workspace is full \((\d+) MB of 32 MB\): writes fail until some files are deleted\.$/);
    expect(Number(notice!.match(/\((\d+) MB/)![1])).toBeGreaterThanOrEqual(31); // the quota less under 1 MB left over
    rmSync(path.join(alpha.filesDir, 'big'));
    expect(quota.workspaceFullNotice(alpha)).toBeNull();
  });

  it("moves an existing workspace's files into a new image of its own quota (workspace.json's quotaMb)", () => {
    mkdirSync(path.join(root('legacy'), 'files', 'src'), { recursive: true });
    writeFileSync(path.join(root('legacy'), 'files', 'src', 'main.ts'), 'export {};\n');
    writeFileSync(path.join(root('legacy'), 'workspace.json'), JSON.stringify({ quotaMb: 16 }));
    const legacy = workspaces.findWorkspace('legacy')!;
    expect(legacy.diskQuotaBytes).toBe(16 * MB);
    expect(mountsAt('legacy')).toHaveLength(1);
    expect(readFileSync(path.join(legacy.filesDir, 'src', 'main.ts'), 'utf8')).toBe('export {};\n');
    expect(readdirSync(root('legacy')).sort()).toEqual(['.disk.lock', 'files', 'files.img', 'workspace.json']);
  });

  it('finishes a move into a new image that was cut short (a crash after the files were set aside)', () => {
    mkdirSync(path.join(root('cut'), '.files-to-image'), { recursive: true });
    writeFileSync(path.join(root('cut'), '.files-to-image', 'kept.txt'), 'kept');
    const cut = workspaces.findWorkspace('cut')!;
    expect(readFileSync(path.join(cut.filesDir, 'kept.txt'), 'utf8')).toBe('kept');
    expect(existsSync(path.join(root('cut'), '.files-to-image'))).toBe(false);
    expect(mountsAt('cut')).toHaveLength(1);
  });

  it('keeps a mounted workspace working when its quota grows, and has grown it by its next mount, files intact', () => {
    const before = statfsSync(path.join(root('legacy'), 'files'));
    writeFileSync(path.join(root('legacy'), 'workspace.json'), JSON.stringify({ quotaMb: 48 }));
    // Online when the server may (CAP_SYS_RESOURCE), else left for the next mount.
    writeFileSync(path.join(workspaces.findWorkspace('legacy')!.filesDir, 'while-mounted.txt'), 'still writable');
    expect(mountsAt('legacy')).toHaveLength(1);
    unmountUnder(path.join(root('legacy'), 'files'));
    restart();
    const legacy = workspaces.findWorkspace('legacy')!;
    expect(legacy.diskQuotaBytes).toBe(48 * MB);
    const after = statfsSync(legacy.filesDir);
    expect(after.blocks * after.bsize).toBeGreaterThan(before.blocks * before.bsize + 25 * MB);
    expect(readFileSync(path.join(legacy.filesDir, 'src', 'main.ts'), 'utf8')).toBe('export {};\n');
    expect(readFileSync(path.join(legacy.filesDir, 'while-mounted.txt'), 'utf8')).toBe('still writable');
    expect(mountsAt('legacy')).toHaveLength(1);
  });

  it('is mounted once when two servers sharing the workspaces folder both ask at the same moment, and a restart finds it mounted', async () => {
    mkdirSync(path.join(root('race'), 'files'), { recursive: true });
    writeFileSync(path.join(root('race'), 'files', 'a.txt'), 'a');
    const run = () =>
      new Promise<{ code: number | null; output: string }>((resolve) => {
        const [command, args] = image.mountImageCommand({ root: root('race'), sizeBytes: 16 * MB });
        const child = spawn(command, args);
        let output = '';
        child.stdout.on('data', (data: Buffer) => (output += data));
        child.on('exit', (code) => resolve({ code, output }));
      });
    const both = await Promise.all([run(), run()]);
    expect(both.map((result) => result.code)).toEqual([0, 0]);
    expect(
      both
        .map((result) => result.output)
        .join('')
        .match(/mounted/g),
    ).toHaveLength(1);
    expect(mountsAt('race')).toHaveLength(1);
    restart();
    expect(readFileSync(path.join(workspaces.findWorkspace('race')!.filesDir, 'a.txt'), 'utf8')).toBe('a');
    expect(mountsAt('race')).toHaveLength(1);
  });

  it('is mounted again, files intact, by the first start after a reboot', () => {
    unmountUnder(path.join(root('race'), 'files')); // what a reboot does to mounts
    expect(readdirSync(path.join(root('race'), 'files'))).toEqual([]);
    restart();
    const race = workspaces.findWorkspace('race')!;
    expect(readFileSync(path.join(race.filesDir, 'a.txt'), 'utf8')).toBe('a');
    expect(mountsAt('race')).toHaveLength(1);
    expect(existsSync(path.join(root('race'), '.files-to-image'))).toBe(false);
  });

  it('mounts the image again when someone unmounted it under the running server', () => {
    unmountUnder(path.join(root('race'), 'files'));
    const race = workspaces.findWorkspace('race')!; // no restart: this process had it mounted
    expect(mountsAt('race')).toHaveLength(1);
    expect(readFileSync(path.join(race.filesDir, 'a.txt'), 'utf8')).toBe('a');
  });

  it('names sizes in the units people read', () => {
    expect(quota.formatBytes(1024 * MB)).toBe('1.0 GB');
    expect(quota.formatBytes(64 * MB)).toBe('64 MB');
    expect(quota.formatBytes(3.5 * MB)).toBe('3.5 MB');
    expect(quota.formatBytes(12 * 1024)).toBe('12 KB');
  });
});
