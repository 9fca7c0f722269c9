/**
 * Snapshots of a workspace in its shadow repository, on the real git: what changed between two
 * (every kind, binaries and modes too), what they leave out, and Undo's restore — byte for byte,
 * or refused, changing nothing, when a file changed since.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

let snapshots: typeof import('./snapshots');
let treeChanges: typeof import('./tree-changes').treeChanges;
let restoreSnapshot: typeof import('./restore').restoreSnapshot;
let workspaces: typeof import('@/features/workspaces/server');

const BINARY = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02, 0xff]);

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-snapshots-'));
  // 10 KiB: a file over it is not kept.
  Object.assign(process.env, { TETHER_DATA_DIR: dataDir, LOG_LEVEL: 'error', TETHER_WORKSPACE_QUOTA_MB: '0', TETHER_SNAPSHOT_MAX_FILE_MB: '0.01' });
  workspaces = await import('@/features/workspaces/server');
  snapshots = await import('./snapshots');
  ({ treeChanges } = await import('./tree-changes'));
  ({ restoreSnapshot } = await import('./restore'));
});

/** Every entry under `dir` (the shadow repository's view aside): its type, mode, and bytes or link target. */
function listing(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    const rel = `${prefix}${name}`;
    const stat = lstatSync(full);
    if (stat.isSymbolicLink()) out[rel] = `link ${readlinkSync(full)}`;
    else if (stat.isDirectory()) Object.assign(out, { [`${rel}/`]: 'folder' }, listing(full, `${rel}/`));
    else out[rel] = `${(stat.mode & 0o777).toString(8)} ${readFileSync(full).toString('base64')}`;
  }
  return out;
}

const lines = (count: number) => Array.from({ length: count }, (_, index) => `line ${index + 1}`).join('\n') + '\n';

describe('snapshots of a workspace', () => {
  it('sees every kind of change, the shell’s included, and Undo puts all of it back byte for byte', async () => {
    const workspace = workspaces.createWorkspace({
      name: 'kinds',
      files: { 'a.txt': 'one\ntwo\nthree\n', 'big.txt': lines(40), 'c.txt': 'keep me\n', 'run.sh': 'echo hi\n', 'link.txt': 'was a file\n' },
    });
    const root = workspace.filesDir;
    const original = listing(root);
    const before = await snapshots.takeSnapshot(workspace, { ref: snapshots.runSnapshotRef('run-1', 'before') });

    writeFileSync(path.join(root, 'a.txt'), 'one\nTWO\nthree\n'); // sed -i
    renameSync(path.join(root, 'big.txt'), path.join(root, 'moved.txt')); // mv
    rmSync(path.join(root, 'c.txt')); // rm
    writeFileSync(path.join(root, 'blob.bin'), BINARY);
    mkdirSync(path.join(root, 'd'));
    writeFileSync(path.join(root, 'd', 'e'), '');
    chmodSync(path.join(root, 'run.sh'), 0o755);
    rmSync(path.join(root, 'link.txt'));
    symlinkSync('a.txt', path.join(root, 'link.txt'));
    const after = await snapshots.takeSnapshot(workspace, { ref: snapshots.runSnapshotRef('run-1', 'after') });

    const changes = await treeChanges(workspace, before, after);
    const byPath = Object.fromEntries(changes.map((change) => [change.path, change]));
    expect(changes.map((change) => [change.path, change.kind])).toEqual([
      ['a.txt', 'modified'],
      ['blob.bin', 'added'],
      ['c.txt', 'deleted'],
      ['d/e', 'added'],
      ['link.txt', 'modified'],
      ['moved.txt', 'renamed'],
      ['run.sh', 'modified'],
    ]);
    expect(byPath['a.txt']).toMatchObject({ added: 1, removed: 1, binary: false, restorable: true, oldPath: null, mode: null });
    expect(byPath['a.txt']!.patch).toMatch(/^diff --git a\/a.txt b\/a.txt\n[^]*-two\n\+TWO\n/);
    expect(byPath['blob.bin']).toMatchObject({ binary: true, size: BINARY.length, patch: null, added: null, removed: null });
    expect(byPath['c.txt']).toMatchObject({ added: 0, removed: 1 });
    expect(byPath['moved.txt']).toMatchObject({ oldPath: 'big.txt', added: 0, removed: 0 });
    expect(byPath['run.sh']).toMatchObject({ mode: { before: '100644', after: '100755' }, added: 0, removed: 0 });
    expect(byPath['link.txt']).toMatchObject({ mode: { before: '100644', after: '120000' } });
    expect(byPath['link.txt']!.patch).toContain('+a.txt');

    expect((await restoreSnapshot(workspace, before, after)).sort()).toEqual(['a.txt', 'big.txt', 'blob.bin', 'c.txt', 'd/e', 'link.txt', 'moved.txt', 'run.sh']);
    // The folder the run made went with its file.
    expect(listing(root)).toEqual(original);
  });

  it('refuses, changing nothing, when a file the run changed was edited since, and names it', async () => {
    const workspace = workspaces.createWorkspace({ name: 'since', files: { 'mine.txt': 'mine\n', 'theirs.txt': 'theirs\n' } });
    const root = workspace.filesDir;
    const before = await snapshots.takeSnapshot(workspace);
    writeFileSync(path.join(root, 'mine.txt'), 'agent\n');
    writeFileSync(path.join(root, 'theirs.txt'), 'agent\n');
    const after = await snapshots.takeSnapshot(workspace);
    writeFileSync(path.join(root, 'theirs.txt'), 'by hand\n');
    writeFileSync(path.join(root, 'unrelated.txt'), 'new\n');
    const now = listing(root);
    await expect(restoreSnapshot(workspace, before, after)).rejects.toMatchObject({ code: 'conflict:changed_since', message: expect.stringMatching(/^theirs\.txt changed after this run/) });
    expect(listing(root)).toEqual(now);
    // Put back as the run left it, Undo goes through, and leaves what it never touched.
    writeFileSync(path.join(root, 'theirs.txt'), 'agent\n');
    await restoreSnapshot(workspace, before, after);
    expect(readFileSync(path.join(root, 'theirs.txt'), 'utf8')).toBe('theirs\n');
    expect(readFileSync(path.join(root, 'unrelated.txt'), 'utf8')).toBe('new\n');
  });

  it('leaves out the ignore list, the workspace’s .gitignore, its own .git, repositories of their own and files over the cap', async () => {
    const workspace = workspaces.createWorkspace({ name: 'ignores', files: { 'src/app.ts': 'app\n', '.gitignore': '*.log\n' } });
    const root = workspace.filesDir;
    const before = await snapshots.takeSnapshot(workspace);
    writeFileSync(path.join(root, 'debug.log'), 'noise\n');
    mkdirSync(path.join(root, 'node_modules', 'pkg'), { recursive: true });
    writeFileSync(path.join(root, 'node_modules', 'pkg', 'index.js'), 'x\n');
    execFileSync('git', ['init', '-q', root]);
    mkdirSync(path.join(root, 'vendor', 'lib'), { recursive: true });
    execFileSync('git', ['init', '-q', path.join(root, 'vendor', 'lib')]);
    writeFileSync(path.join(root, 'vendor', 'lib', 'x.c'), 'int x;\n');
    writeFileSync(path.join(root, 'huge.dat'), Buffer.alloc(20 * 1024, 1));
    writeFileSync(path.join(root, 'src', 'app.ts'), 'app 2\n');
    const after = await snapshots.takeSnapshot(workspace);
    expect(after.notKept.map(({ path: file, reason }) => [file, reason])).toEqual([
      ['huge.dat', 'too_large'],
      ['vendor/lib', 'repository'],
    ]);
    const changes = await treeChanges(workspace, before, after);
    expect(changes.map((change) => [change.path, change.kind, change.restorable])).toEqual([
      ['huge.dat', 'added', false],
      ['src/app.ts', 'modified', true],
      ['vendor/lib', 'added', false],
    ]);
    expect(changes[0]).toMatchObject({ size: 20 * 1024, patch: null });
  });

  it('keeps what `snapshotIgnore` no longer leaves out, and drops what it now does', async () => {
    const workspace = workspaces.createWorkspace({ name: 'configured', files: { 'keep.txt': 'k\n', 'node_modules/m.js': 'm\n', 'dist/out.js': 'o\n' } });
    const first = await snapshots.takeSnapshot(workspace);
    const configured = { ...workspace, config: { ...workspace.config, snapshotIgnore: ['dist/'] } };
    const second = await snapshots.takeSnapshot(configured);
    const changes = await treeChanges(configured, first, second);
    expect(changes.map((change) => [change.path, change.kind])).toEqual([
      ['dist/out.js', 'deleted'],
      ['node_modules/m.js', 'added'],
    ]);
  });

  it('a file over the cap in the run’s changes: listed as not kept, with its size', async () => {
    const workspace = workspaces.createWorkspace({ name: 'grown', files: { 'data.csv': 'a,b\n' } });
    const before = await snapshots.takeSnapshot(workspace);
    writeFileSync(path.join(workspace.filesDir, 'data.csv'), Buffer.alloc(12 * 1024, 0x61));
    const after = await snapshots.takeSnapshot(workspace);
    expect(await treeChanges(workspace, before, after)).toEqual([expect.objectContaining({ path: 'data.csv', kind: 'modified', restorable: false, size: 12 * 1024 })]);
    expect(existsSync(path.join(workspace.filesDir, 'data.csv'))).toBe(true);
  });
});
