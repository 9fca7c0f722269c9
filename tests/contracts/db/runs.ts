/** Runs: start, finish once, one running per conversation, interrupt and take over; their file changes. */
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { Db } from '@/lib/db/types';
import { contractCalls, ISO, tick } from './calls';

export function defineRunContract(getDb: () => Db) {
  const { open, startRun, finishRun, listRuns } = contractCalls(getDb);

  it('runs start, finish exactly once, and list in start order', async () => {
    const conversationId = randomUUID();
    await open({ id: conversationId });
    expect(await listRuns(conversationId)).toEqual([]);

    const first = await startRun(conversationId);
    expect(first).toEqual({
      id: expect.any(String),
      conversationId,
      model: 'claude-sonnet-4-5',
      mode: 'build',
      status: 'running',
      startedAt: expect.stringMatching(ISO),
      finishedAt: null,
      costUsd: null,
      inputTokens: null,
      outputTokens: null,
      durationMs: null,
      error: null,
    });
    const done = await finishRun(first.id, 'completed', {
      p_cost_usd: 0.0123,
      p_input_tokens: 120,
      p_output_tokens: 45,
      p_duration_ms: 2300,
    });
    expect(done).toMatchObject({ id: first.id, status: 'completed', costUsd: 0.0123, inputTokens: 120, outputTokens: 45, durationMs: 2300 });
    expect(done!.finishedAt).toMatch(ISO);
    // A late Stop must not overwrite the outcome.
    expect(await finishRun(first.id, 'stopped')).toBeNull();
    await tick();
    const second = await startRun(conversationId);

    await finishRun(second.id, 'failed', { p_error: 'boom' });
    const runs = await listRuns(conversationId);
    expect(runs.map((r) => [r.id, r.status, r.error])).toEqual([
      [first.id, 'completed', null],
      [second.id, 'failed', 'boom'],
    ]);
  });

  it('mark_run_replaced marks the latest finished run, never the running one, and list_runs says which', async () => {
    const conversationId = randomUUID();
    await open({ id: conversationId });
    expect(await getDb().call('mark_run_replaced', { p_conversation_id: conversationId, p_by: randomUUID() })).toBeNull();
    const first = await startRun(conversationId);
    await finishRun(first.id, 'completed');
    await tick();
    const second = await startRun(conversationId);
    await finishRun(second.id, 'failed', { p_error: 'overloaded' });
    await tick();
    const retry = await startRun(conversationId);
    expect(await getDb().call('mark_run_replaced', { p_conversation_id: conversationId, p_by: retry.id })).toBe(second.id);
    expect((await listRuns(conversationId)).map((r) => [r.id, r.replaced])).toEqual([
      [first.id, false],
      [second.id, true],
      [retry.id, false],
    ]);
  });

  it('finish_run rejects a non-final status', async () => {
    const conversationId = randomUUID();
    await open({ id: conversationId });
    const run = await startRun(conversationId);
    await expect(finishRun(run.id, 'running')).rejects.toMatchObject({ name: 'DbError', code: '22023' });
  });

  it('start_run for a missing conversation raises a DbError', async () => {
    await expect(startRun(randomUUID())).rejects.toMatchObject({ name: 'DbError', code: '23503' });
  });

  it('start_run records at most one running run per conversation: a second answers null until the first finishes', async () => {
    const conversationId = randomUUID();
    await open({ id: conversationId });
    const first = await startRun(conversationId);
    expect(await startRun(conversationId)).toBeNull();
    await finishRun(first.id, 'completed');
    expect(await startRun(conversationId)).toMatchObject({ status: 'running' });
    expect((await listRuns(conversationId)).map((r) => r.status)).toEqual(['completed', 'running']);
  });

  it('interrupt_own_runs interrupts only the running runs of the instance that asks', async () => {
    const [mine, theirs] = [randomUUID(), randomUUID()];
    const runOf = async (owner: string) => {
      const conversationId = randomUUID();
      await open({ id: conversationId });
      return { conversationId, run: (await startRun(conversationId, randomUUID(), owner))! };
    };
    const [a, b, other] = [await runOf(mine), await runOf(mine), await runOf(theirs)];
    await finishRun(b.run.id, 'completed');
    expect(await getDb().call('interrupt_own_runs', { p_owner: mine })).toBe(1);
    expect((await listRuns(a.conversationId))[0]).toMatchObject({ status: 'interrupted', finishedAt: expect.stringMatching(ISO) });
    expect((await listRuns(b.conversationId))[0]!.status).toBe('completed');
    expect((await listRuns(other.conversationId))[0]!.status).toBe('running');
    expect(await getDb().call('interrupt_own_runs', { p_owner: mine })).toBe(0);
    await finishRun(other.run.id, 'completed');
  });

  it('take_over_stale_runs interrupts the runs of instances that stopped beating (or never did), each for one caller only', async () => {
    const [alive, silent] = [randomUUID(), randomUUID()];
    await getDb().call('instance_heartbeat', { p_id: alive });
    await getDb().call('instance_heartbeat', { p_id: silent });
    const runOf = async (owner: string | null) => {
      const conversationId = randomUUID();
      await open({ id: conversationId });
      return (await startRun(conversationId, randomUUID(), owner))!;
    };
    const [aliveRun, silentRun, unknownRun, unownedRun] = [await runOf(alive), await runOf(silent), await runOf(randomUUID()), await runOf(null)];
    await getDb().call('instance_leave', { p_id: silent });
    type Taken = Array<{ id: string; conversationId: string; model: string; mode: string; startedAt: string }>;
    const taken = await getDb().call<Taken>('take_over_stale_runs', { p_stale_seconds: 3600 });
    const ours = new Set([aliveRun.id, silentRun.id, unknownRun.id, unownedRun.id]);
    expect(
      taken
        .filter((run) => ours.has(run.id))
        .map((run) => run.id)
        .sort(),
    ).toEqual([silentRun.id, unknownRun.id, unownedRun.id].sort());
    expect(taken.find((run) => run.id === silentRun.id)).toEqual({
      id: silentRun.id,
      conversationId: silentRun.conversationId,
      model: 'claude-sonnet-4-5',
      mode: 'build',
      startedAt: silentRun.startedAt,
    });
    expect((await listRuns(silentRun.conversationId))[0]!.status).toBe('interrupted');
    expect((await listRuns(aliveRun.conversationId))[0]!.status).toBe('running');
    // Already taken: nobody gets them again.
    const again = await getDb().call<Taken>('take_over_stale_runs', { p_stale_seconds: 3600 });
    expect(again.filter((run) => ours.has(run.id))).toEqual([]);
    // An instance is stale once its last beat is older than the window.
    await tick();
    const late = await getDb().call<Taken>('take_over_stale_runs', { p_stale_seconds: 0 });
    expect(late.map((run) => run.id)).toContain(aliveRun.id);
  });

  it('run changes of an earlier version (texts, no kinds): listed with kinds told from their texts, given to the owner only, undone once', async () => {
    const conversationId = randomUUID();
    await open({ id: conversationId });
    const run = await startRun(conversationId);
    await getDb().call('record_run_changes', {
      p_run_id: run.id,
      p_paths: ['src/a.ts', 'new.md'],
      p_befores: ['a\n', null],
      p_afters: ['b\n', 'x\n'],
      p_patches: ['@@ -1 +1 @@\n-a\n+b', '@@ -0,0 +1 @@\n+x'],
      p_added: [1, 1],
      p_removed: [1, 0],
      p_restorable: [true, true],
    });
    const shown = { oldPath: null, mode: null, binary: false, size: null };
    expect(await getDb().call('list_run_changes', { p_conversation_id: conversationId })).toEqual([
      {
        runId: run.id,
        undoneAt: null,
        files: [
          { path: 'new.md', kind: 'added', ...shown, patch: '@@ -0,0 +1 @@\n+x', added: 1, removed: 0, restorable: true },
          { path: 'src/a.ts', kind: 'modified', ...shown, patch: '@@ -1 +1 @@\n-a\n+b', added: 1, removed: 1, restorable: true },
        ],
      },
    ]);
    const changesOf = (visitor: string) =>
      getDb().call<{ snapshots: unknown; files: Array<{ path: string; before: string | null; after: string | null }> } | null>('get_run_changes', {
        p_run_id: run.id,
        p_visitor_id: visitor,
        p_workspace: 'demo',
      });
    expect(await changesOf('visitor-b')).toBeNull();
    expect(await changesOf('visitor-a')).toMatchObject({
      snapshots: { before: null, after: null },
      files: [
        { path: 'new.md', kind: 'added', before: null, after: 'x\n', restorable: true },
        { path: 'src/a.ts', kind: 'modified', before: 'a\n', after: 'b\n', restorable: true },
      ],
    });
    expect(await getDb().call('mark_run_changes_undone', { p_run_id: run.id })).toBe(true);
    expect(await getDb().call('mark_run_changes_undone', { p_run_id: run.id })).toBe(false);
    expect(await changesOf('visitor-a')).toMatchObject({ undoneAt: expect.stringMatching(ISO) });
  });
}
