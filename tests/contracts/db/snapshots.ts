/** A run's snapshots (the git trees of its workspace before and after it) and the changes worked out from them. */
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { Db } from '@/lib/db/types';
import { contractCalls, tick } from './calls';

const TREE_A = 'a'.repeat(40);
const TREE_B = 'b'.repeat(40);

export function defineSnapshotContract(getDb: () => Db) {
  const { open, startRun, finishRun } = contractCalls(getDb);
  const record = (runId: string, moment: string, tree: string, notKept: unknown[] = []) =>
    getDb().call<string>('record_run_snapshot', { p_run_id: runId, p_moment: moment, p_tree: tree, p_not_kept: JSON.stringify(notKept) });
  const snapshotsOf = (runId: string) => getDb().call('get_run_snapshots', { p_run_id: runId });

  it('keeps a run’s before and after; the first of each stands, and outlives the run’s end', async () => {
    const conversationId = randomUUID();
    await open({ id: conversationId });
    const run = await startRun(conversationId);
    expect(await snapshotsOf(run.id)).toEqual({ before: null, after: null });
    const notKept = [{ path: 'huge.bin', size: 99, mtimeMs: 1, reason: 'too_large' }];
    expect(await record(run.id, 'before', TREE_A, notKept)).toBe(TREE_A);
    // A continuation asking again gets the one that stands.
    expect(await record(run.id, 'before', TREE_B)).toBe(TREE_A);
    await finishRun(run.id, 'completed');
    expect(await record(run.id, 'after', TREE_B)).toBe(TREE_B);
    expect(await snapshotsOf(run.id)).toEqual({ before: { tree: TREE_A, notKept }, after: { tree: TREE_B, notKept: [] } });
    await expect(record(run.id, 'during', TREE_B)).rejects.toThrow();
  });

  it('records the changes worked out from them with their kinds, renames, modes and sizes; Undo gets the snapshots', async () => {
    const conversationId = randomUUID();
    await open({ id: conversationId });
    const run = await startRun(conversationId);
    await record(run.id, 'before', TREE_A);
    await record(run.id, 'after', TREE_B);
    const base = { oldPath: null, mode: null, binary: false, size: null, patch: null, added: null, removed: null, restorable: true };
    const files = [
      { ...base, path: 'b.txt', kind: 'renamed', oldPath: 'a.txt', patch: 'diff --git a/a.txt b/b.txt', added: 0, removed: 0 },
      { ...base, path: 'logo.png', kind: 'added', binary: true, size: 2048 },
      { ...base, path: 'run.sh', kind: 'modified', mode: { before: '100644', after: '100755' }, added: 0, removed: 0 },
      { ...base, path: 'video.mp4', kind: 'deleted', size: 99_000_000, restorable: false },
    ];
    await getDb().call('record_run_file_changes', { p_run_id: run.id, p_changes: JSON.stringify(files) });
    expect(await getDb().call('list_run_changes', { p_conversation_id: conversationId })).toEqual([{ runId: run.id, undoneAt: null, files }]);
    const undo = await getDb().call<{ snapshots: unknown; files: unknown[] } | null>('get_run_changes', { p_run_id: run.id, p_visitor_id: 'visitor-a', p_workspace: 'demo' });
    expect(undo).toMatchObject({
      snapshots: { before: { tree: TREE_A, notKept: [] }, after: { tree: TREE_B, notKept: [] } },
      files: files.map(({ path, kind, restorable }) => ({ path, kind, restorable, before: null, after: null })),
    });
  });

  it('says which runs’ snapshots are still wanted, oldest first: those of live conversations, and any running', async () => {
    const live = randomUUID();
    const expired = randomUUID();
    await open({ id: live });
    await open({ id: expired, ttl: 0 });
    const ended = await startRun(live);
    await finishRun(ended.id, 'completed');
    await tick();
    const running = await startRun(live);
    await tick();
    const endedExpired = await startRun(expired);
    await finishRun(endedExpired.id, 'completed');
    await tick();
    const runningExpired = await startRun(expired);
    const unknown = randomUUID();
    const ids = [runningExpired.id, unknown, endedExpired.id, running.id, ended.id];
    expect(await getDb().call('snapshot_runs', { p_ids: ids })).toEqual([
      { id: ended.id, running: false, startedAt: ended.startedAt },
      { id: running.id, running: true, startedAt: running.startedAt },
      { id: runningExpired.id, running: true, startedAt: runningExpired.startedAt },
    ]);
    expect(await getDb().call('snapshot_runs', { p_ids: [] })).toEqual([]);
  });
}
