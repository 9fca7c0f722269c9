/**
 * The shadow repository's faults, on the real git: one missing or damaged is made again (and Undo
 * of the runs before says it can't), a lock held by another instance is waited for (a crash's
 * leftover is removed), snapshots at once in one process don't collide, and one past the time
 * limit fails with a message that says what to do.
 */
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

let snapshots: typeof import('./snapshots');
let restoreSnapshot: typeof import('./restore').restoreSnapshot;
let workspaces: typeof import('@/features/workspaces/server');

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-shadow-'));
  Object.assign(process.env, { TETHER_DATA_DIR: dataDir, LOG_LEVEL: 'error', TETHER_WORKSPACE_QUOTA_MB: '0', TETHER_SNAPSHOT_TIMEOUT_SECONDS: '2' });
  workspaces = await import('@/features/workspaces/server');
  snapshots = await import('./snapshots');
  ({ restoreSnapshot } = await import('./restore'));
});

const gitDirOf = (workspace: import('@/features/workspaces/server').Workspace) => workspaces.snapshotsGitDir(workspace);

describe('the shadow repository', () => {
  it('lives beside the workspace’s files, outside them', async () => {
    const workspace = workspaces.createWorkspace({ name: 'place', files: { 'a.txt': 'a\n' } });
    await snapshots.takeSnapshot(workspace);
    expect(gitDirOf(workspace)).toBe(path.join(path.dirname(workspace.filesDir), 'snapshots.git'));
    expect(existsSync(path.join(gitDirOf(workspace), 'HEAD'))).toBe(true);
  });

  it('is made again when missing; Undo of a run from before says its snapshots are gone', async () => {
    const workspace = workspaces.createWorkspace({ name: 'gone', files: { 'a.txt': 'a\n' } });
    const before = await snapshots.takeSnapshot(workspace);
    writeFileSync(path.join(workspace.filesDir, 'a.txt'), 'b\n');
    const after = await snapshots.takeSnapshot(workspace);
    rmSync(gitDirOf(workspace), { recursive: true });
    await expect(restoreSnapshot(workspace, before, after)).rejects.toMatchObject({ code: 'conflict:snapshot_gone' });
    // A new snapshot of the same files is the same tree: the store is whole again.
    expect((await snapshots.takeSnapshot(workspace)).tree).toBe(after.tree);
  });

  it('drops a damaged index, and makes a damaged repository again', async () => {
    const workspace = workspaces.createWorkspace({ name: 'damaged', files: { 'a.txt': 'a\n', 'b.txt': 'b\n' } });
    const first = await snapshots.takeSnapshot(workspace);
    writeFileSync(path.join(gitDirOf(workspace), 'index'), 'not an index');
    expect((await snapshots.takeSnapshot(workspace)).tree).toBe(first.tree);
    rmSync(path.join(gitDirOf(workspace), 'objects'), { recursive: true });
    expect((await snapshots.takeSnapshot(workspace)).tree).toBe(first.tree);
  });

  it('takes snapshots asked for at once one after the other', async () => {
    const workspace = workspaces.createWorkspace({ name: 'together', files: { 'a.txt': 'a\n' } });
    const taken = await Promise.all(Array.from({ length: 6 }, (_, index) => snapshots.takeSnapshot(workspace, { ref: snapshots.runSnapshotRef(`r${index}`, 'before') })));
    expect(new Set(taken.map((snapshot) => snapshot.tree)).size).toBe(1);
    expect(await snapshots.readSnapshotRef(workspace, snapshots.runSnapshotRef('r5', 'before'))).toBe(taken[0]!.tree);
    expect(await snapshots.readSnapshotRef(workspace, snapshots.runSnapshotRef('nobody', 'before'))).toBeNull();
  });

  it('waits for a lock another instance holds; removes one a crash left; fails past the time limit, saying why', async () => {
    const workspace = workspaces.createWorkspace({ name: 'locked', files: { 'a.txt': 'a\n' } });
    await snapshots.takeSnapshot(workspace);
    const lock = path.join(gitDirOf(workspace), 'index.lock');
    writeFileSync(path.join(workspace.filesDir, 'a.txt'), 'changed\n');

    writeFileSync(lock, '');
    setTimeout(() => rmSync(lock, { force: true }), 400);
    const started = Date.now();
    await snapshots.takeSnapshot(workspace);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);

    writeFileSync(lock, '');
    const old = (Date.now() - 60_000) / 1000;
    utimesSync(lock, old, old);
    await snapshots.takeSnapshot(workspace);
    expect(existsSync(lock)).toBe(false);

    writeFileSync(lock, '');
    await expect(snapshots.takeSnapshot(workspace)).rejects.toMatchObject({ code: 'unavailable:snapshot', message: expect.stringContaining('took longer than 2 s') });
    rmSync(lock);
  });
});
