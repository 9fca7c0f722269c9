/** A conversation's whole change: the snapshot before its first run that has one, and every path its runs changed; the owner's only. */
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { Db } from '@/lib/db/types';
import { contractCalls } from './calls';

const TREE_A = 'a'.repeat(40);
const TREE_B = 'b'.repeat(40);
const base = { oldPath: null as string | null, mode: null, binary: false, size: null as number | null, patch: null, added: null, removed: null, restorable: true };

export function defineConversationChangesContract(getDb: () => Db) {
  const { open, startRun, finishRun } = contractCalls(getDb);
  const snapshot = (runId: string, moment: string, tree: string, notKept: unknown[] = []) =>
    getDb().call('record_run_snapshot', { p_run_id: runId, p_moment: moment, p_tree: tree, p_not_kept: JSON.stringify(notKept) });
  const changes = (runId: string, files: Array<Partial<typeof base> & { path: string; kind: string }>) =>
    getDb().call('record_run_file_changes', { p_run_id: runId, p_changes: JSON.stringify(files.map((file) => ({ ...base, ...file }))) });
  const whole = (conversationId: string, visitor = 'visitor-a', workspace = 'demo') =>
    getDb().call('get_conversation_changes', { p_conversation_id: conversationId, p_visitor_id: visitor, p_workspace: workspace });

  it("starts from its earliest run's before snapshot and names every path its runs changed, renames' earlier paths too", async () => {
    const conversationId = randomUUID();
    await open({ id: conversationId, title: 'Tidy up' });
    expect(await whole(conversationId)).toEqual({ title: 'Tidy up', before: null, paths: [] });
    // A plan-mode run first: no snapshot.
    const plan = await startRun(conversationId);
    await finishRun(plan.id, 'completed');
    const first = await startRun(conversationId);
    const notKept = [{ path: 'huge.bin', size: 99, mtimeMs: 1, reason: 'too_large' }];
    await snapshot(first.id, 'before', TREE_A, notKept);
    await snapshot(first.id, 'after', TREE_B);
    await changes(first.id, [
      { path: 'b.txt', kind: 'renamed', oldPath: 'a.txt' },
      { path: 'notes.md', kind: 'modified' },
    ]);
    await finishRun(first.id, 'completed');
    const second = await startRun(conversationId);
    await snapshot(second.id, 'before', TREE_B);
    await changes(second.id, [
      { path: 'notes.md', kind: 'modified' },
      { path: 'logo.png', kind: 'added', binary: true, size: 10 },
    ]);
    await finishRun(second.id, 'completed');
    expect(await whole(conversationId)).toEqual({ title: 'Tidy up', before: { runId: first.id, tree: TREE_A, notKept }, paths: ['a.txt', 'b.txt', 'logo.png', 'notes.md'] });
  });

  it('is null for another visitor, another workspace, or a conversation that is gone', async () => {
    const conversationId = randomUUID();
    await open({ id: conversationId });
    expect(await whole(conversationId, 'visitor-b')).toBeNull();
    expect(await whole(conversationId, 'visitor-a', 'other')).toBeNull();
    expect(await whole(randomUUID())).toBeNull();
  });
}
