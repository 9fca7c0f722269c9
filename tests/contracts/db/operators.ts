/** The operator's command line: every instance and run at a glance, one run by id, a workspace's conversations, Stop through the database, purge by age. */
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { Db } from '@/lib/db/types';
import { contractCalls, ISO, type Run } from './calls';

type OperatorRun = Run & { workspace: string; owner: string | null; agentStarted: boolean; stopRequested: boolean };
type Status = {
  instances: Array<{ id: string; alive: boolean; running: number; heartbeatAt: string }>;
  running: number;
  queued: number;
  spentUsd: number;
  spentByWorkspace: Array<{ workspace: string; spentUsd: number }>;
};

export function defineOperatorContract(getDb: () => Db) {
  const { open, startRun, finishRun } = contractCalls(getDb);
  // Every area shares the database: a workspace of this area's own keeps its lists apart.
  const workspace = `ops-${randomUUID().slice(0, 8)}`;
  const conversationWithRun = async (owner: string | null, title = 'Ops') => {
    const conversationId = randomUUID();
    await open({ id: conversationId, workspace, title, visitor: `visitor-${randomUUID().slice(0, 4)}` });
    return (await startRun(conversationId, randomUUID(), owner))!;
  };

  it('status: instances with their heartbeat and running runs, runs going and waiting, and the last 24 h of spend per workspace', async () => {
    const owner = randomUUID();
    await getDb().call('instance_heartbeat', { p_id: owner });
    const [working, waiting, done] = [await conversationWithRun(owner), await conversationWithRun(owner), await conversationWithRun(owner)];
    await getDb().call('record_run_progress', { p_id: working.id, p_cost_usd: 0.5, p_input_tokens: 1, p_output_tokens: 1, p_turns: 1, p_worked_ms: 10, p_agent_started: true });
    await finishRun(done.id, 'completed', { p_cost_usd: 0.25 });
    const status = await getDb().call<Status>('operator_status', { p_stale_seconds: 30 });
    expect(status.instances).toContainEqual(expect.objectContaining({ id: owner, alive: true, running: 2, heartbeatAt: expect.stringMatching(ISO) }));
    expect(status.running).toBeGreaterThanOrEqual(1);
    expect(status.queued).toBeGreaterThanOrEqual(1);
    expect(status.spentByWorkspace).toContainEqual({ workspace, spentUsd: 0.75 });
    // Silent for longer than the stale time: not alive.
    expect((await getDb().call<Status>('operator_status', { p_stale_seconds: 0 })).instances.find((instance) => instance.id === owner)?.alive).toBe(false);
    await Promise.all([finishRun(working.id, 'completed'), finishRun(waiting.id, 'stopped')]);
  });

  it('runs: any visitor’s, latest first, by workspace, running ones only, at most a limit; one run by id with its owner', async () => {
    const owner = randomUUID();
    const first = await conversationWithRun(owner);
    await finishRun(first.id, 'failed');
    const second = await conversationWithRun(null);
    const list = await getDb().call<OperatorRun[]>('operator_runs', { p_workspace: workspace, p_running: false, p_limit: 100 });
    expect(list.slice(0, 2).map((run) => [run.id, run.status])).toEqual([
      [second.id, 'running'],
      [first.id, 'failed'],
    ]);
    expect(list.every((run) => run.workspace === workspace)).toBe(true);
    const going = await getDb().call<OperatorRun[]>('operator_runs', { p_workspace: workspace, p_running: true, p_limit: 100 });
    expect(going.map((run) => run.id)).toEqual([second.id]);
    expect(await getDb().call<OperatorRun[]>('operator_runs', { p_workspace: workspace, p_running: false, p_limit: 1 })).toHaveLength(1);
    expect(await getDb().call<OperatorRun[]>('operator_runs', { p_workspace: null, p_running: false, p_limit: 1000 })).toContainEqual(expect.objectContaining({ id: first.id, owner }));
    expect(await getDb().call('operator_run', { p_id: first.id })).toMatchObject({ id: first.id, workspace, owner, status: 'failed', agentStarted: false, stopRequested: false });
    expect(await getDb().call('operator_run', { p_id: randomUUID() })).toBeNull();
    await finishRun(second.id, 'completed');
  });

  it('a Stop recorded with a running run is what its owner finds when it asks; a finished run is not asked for', async () => {
    const owner = randomUUID();
    const [asked, other] = [await conversationWithRun(owner), await conversationWithRun(owner)];
    expect(await getDb().call('stop_requests', { p_owner: owner })).toEqual([]);
    expect(await getDb().call('request_run_stop', { p_id: asked.id })).toBe(true);
    expect(await getDb().call('stop_requests', { p_owner: owner })).toEqual([asked.id]);
    expect(await getDb().call('stop_requests', { p_owner: randomUUID() })).toEqual([]);
    expect(await getDb().call('operator_run', { p_id: asked.id })).toMatchObject({ stopRequested: true });
    await finishRun(asked.id, 'stopped');
    expect(await getDb().call('stop_requests', { p_owner: owner })).toEqual([]);
    await finishRun(other.id, 'completed');
  });

  it('conversations: every visitor’s in the workspace, latest used first, with their runs and cost', async () => {
    const older = await conversationWithRun(null, 'Older');
    await finishRun(older.id, 'completed', { p_cost_usd: 0.1 });
    const newer = await conversationWithRun(null, 'Newer');
    const list = await getDb().call<Array<{ id: string; title: string; runs: number; lastStatus: string; costUsd: number; visitorId: string }>>('operator_conversations', {
      p_workspace: workspace,
      p_limit: 2,
    });
    expect(list.map((conversation) => [conversation.id, conversation.title, conversation.lastStatus])).toEqual([
      [newer.conversationId, 'Newer', 'running'],
      [older.conversationId, 'Older', 'completed'],
    ]);
    expect(list[1]).toMatchObject({ runs: 1, costUsd: 0.1, visitorId: expect.stringMatching(/^visitor-/) });
    expect(await getDb().call('operator_conversations', { p_workspace: `${workspace}-none`, p_limit: 10 })).toEqual([]);
    await finishRun(newer.id, 'completed');
  });

  it('purge --dry-run lists conversations idle for the age, never one with a run going, and deletes nothing', async () => {
    const idle = await conversationWithRun(null, 'Idle');
    await finishRun(idle.id, 'completed');
    const busy = await conversationWithRun(null, 'Busy');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // A dry run: the other areas' conversations in this shared database stay too.
    const listed = await getDb().call<Array<{ id: string; workspace: string; title: string; lastActivityAt: string }>>('operator_purge', { p_older_than_seconds: 1, p_dry_run: true });
    expect(listed).toContainEqual({ id: idle.conversationId, workspace, title: 'Idle', lastActivityAt: expect.stringMatching(ISO) });
    expect(listed.map((conversation) => conversation.id)).not.toContain(busy.conversationId);
    expect(await getDb().call<OperatorRun>('operator_run', { p_id: idle.id })).toMatchObject({ status: 'completed' });
    expect(await getDb().call('operator_purge', { p_older_than_seconds: 3600, p_dry_run: true })).not.toContainEqual(expect.objectContaining({ id: idle.conversationId }));
    await finishRun(busy.id, 'completed');
  });
}
