/** Runs that outlive their server: progress, checkpoints, a Stop recorded meanwhile, and claiming orphaned runs. */
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { Db } from '@/lib/db/types';
import { contractCalls, ISO } from './calls';

type Claimed = Array<{
  id: string;
  status: string;
  visitorId: string;
  workspace: string;
  continuations: number;
  agentStarted: boolean;
  turns: number;
  workedMs: number;
  costUsd: number | null;
  error: string | null;
}>;

export function defineContinuationContract(getDb: () => Db) {
  const { open, startRun, finishRun, listRuns } = contractCalls(getDb);
  const claim = (owner: string, own: boolean, maxContinuations: number, staleSeconds = 3600) =>
    getDb().call<Claimed>('claim_orphaned_runs', { p_owner: owner, p_own: own, p_stale_seconds: staleSeconds, p_max_continuations: maxContinuations });
  const runOf = async (owner: string) => {
    const conversationId = randomUUID();
    await open({ id: conversationId, visitor: 'visitor-c', workspace: 'cont' });
    return (await startRun(conversationId, randomUUID(), owner))!;
  };

  it('a running run keeps its progress and first checkpoints; they are gone once it finishes', async () => {
    const run = await runOf(randomUUID());
    await getDb().call('record_run_progress', { p_id: run.id, p_cost_usd: 0.25, p_input_tokens: 10, p_output_tokens: 5, p_turns: 3, p_worked_ms: 1234, p_agent_started: true });
    await getDb().call('keep_run_checkpoint', { p_run_id: run.id, p_path: 'a.txt', p_snapshot: JSON.stringify({ state: 'text', text: 'one' }) });
    // The first checkpoint of a path stands.
    await getDb().call('keep_run_checkpoint', { p_run_id: run.id, p_path: 'a.txt', p_snapshot: JSON.stringify({ state: 'text', text: 'two' }) });
    await getDb().call('keep_run_checkpoint', { p_run_id: run.id, p_path: 'b.txt', p_snapshot: JSON.stringify({ state: 'absent' }) });
    expect(await getDb().call('list_run_checkpoints', { p_run_id: run.id })).toEqual([
      { path: 'a.txt', snapshot: { state: 'text', text: 'one' } },
      { path: 'b.txt', snapshot: { state: 'absent' } },
    ]);
    expect((await listRuns(run.conversationId))[0]).toMatchObject({ status: 'running', costUsd: 0.25, inputTokens: 10, outputTokens: 5 });
    await finishRun(run.id, 'completed');
    expect(await getDb().call('list_run_checkpoints', { p_run_id: run.id })).toEqual([]);
    // A finished run's progress is not touched again.
    await getDb().call('record_run_progress', { p_id: run.id, p_cost_usd: 9, p_input_tokens: 1, p_output_tokens: 1, p_turns: 1, p_worked_ms: 1, p_agent_started: false });
    expect((await listRuns(run.conversationId))[0]).toMatchObject({ status: 'completed', costUsd: null });
  });

  it('at its start, an instance claims its own running runs: continued while attempts are left, else ended', async () => {
    const owner = randomUUID();
    const [first, stopped, other] = [await runOf(owner), await runOf(owner), await runOf(randomUUID())];
    await getDb().call('record_run_progress', { p_id: first.id, p_cost_usd: 0.5, p_input_tokens: 1, p_output_tokens: 2, p_turns: 4, p_worked_ms: 900, p_agent_started: true });
    await getDb().call('keep_run_checkpoint', { p_run_id: stopped.id, p_path: 'x', p_snapshot: JSON.stringify({ state: 'absent' }) });
    expect(await getDb().call('request_run_stop', { p_id: stopped.id })).toBe(true);

    const claimed = await claim(owner, true, 1);
    expect(claimed.map((run) => [run.id, run.status]).sort()).toEqual(
      [
        [first.id, 'running'],
        [stopped.id, 'stopped'],
      ].sort(),
    );
    expect(claimed.find((run) => run.id === first.id)).toMatchObject({ visitorId: 'visitor-c', workspace: 'cont', continuations: 1, agentStarted: true, turns: 4, workedMs: 900, costUsd: 0.5 });
    expect((await listRuns(stopped.conversationId))[0]).toMatchObject({ status: 'stopped', finishedAt: expect.stringMatching(ISO), error: null });
    expect(await getDb().call('list_run_checkpoints', { p_run_id: stopped.id })).toEqual([]);
    expect((await listRuns(other.conversationId))[0]!.status).toBe('running');

    // Claimed again (it was cut once more): out of continuations, it ends interrupted, with why.
    const again = await claim(owner, true, 1);
    expect(again.map((run) => [run.id, run.status])).toEqual([[first.id, 'interrupted']]);
    expect(again[0]!.error).toMatch(/went away/);
    expect(await claim(owner, true, 1)).toEqual([]);
    expect(await getDb().call('request_run_stop', { p_id: first.id })).toBe(false);
    await finishRun(other.id, 'completed');
  });

  it("a live instance claims a silent instance's runs, each for one caller only, and never its own", async () => {
    const [silent, live] = [randomUUID(), randomUUID()];
    await getDb().call('instance_heartbeat', { p_id: silent });
    await getDb().call('instance_heartbeat', { p_id: live });
    const [orphan, mine] = [await runOf(silent), await runOf(live)];
    // Still beating: nothing to take.
    expect((await claim(live, false, 1)).filter((run) => run.id === orphan.id)).toEqual([]);
    await getDb().call('instance_leave', { p_id: silent });
    const [a, b] = await Promise.all([claim(live, false, 1), claim(randomUUID(), false, 1)]);
    const takers = [a, b].filter((claimed) => claimed.some((run) => run.id === orphan.id));
    expect(takers).toHaveLength(1);
    expect([...a, ...b].some((run) => run.id === mine.id)).toBe(false);
    // With continuations off (0), a taken-over run ends interrupted, as before continuations.
    const off = await runOf(randomUUID());
    const ended = (await claim(live, false, 0)).find((run) => run.id === off.id);
    expect(ended).toMatchObject({ status: 'interrupted', continuations: 0 });
    await finishRun(mine.id, 'completed');
    await finishRun(orphan.id, 'completed');
  });
}
