/**
 * Instances on one database: a conversation runs on one instance at a time (the database says
 * so, not this process's memory), and the runs of an instance that stopped beating are taken
 * over — interrupted and announced once — by a live one. The "other instance" here is rows it
 * would have written; this process is the live instance, with the real SDK and CLI.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessagesApi } from '@/lib/messages-api/server';
import { eventsUntilEnd, startAgentTestEnv } from '@/tests/fixtures/agent-env';
import type { RunFinished } from './run-notices';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-instances-'));
const visitorId = randomUUID();
let api: MessagesApi;
let runs: typeof import('./run-manager');
let cluster: typeof import('@/features/cluster/server');
let takeover: typeof import('./takeover');
let database: import('@/lib/db').Db;
let workspace: import('@/features/workspaces/server').Workspace;
const announced: RunFinished[] = [];

beforeAll(async () => {
  api = await startAgentTestEnv({ responder: () => ({ blocks: [{ type: 'text', text: 'Hello.' }] }), dataDir, env: { TETHER_INSTANCE_STALE_SECONDS: '3' } });
  workspace = (await import('@/features/workspaces/server')).createWorkspace({ name: 'alpha' });
  runs = await import('./run-manager');
  cluster = await import('@/features/cluster/server');
  takeover = await import('./takeover');
  database = await (await import('@/lib/db/connection')).db();
  (await import('./run-notices')).onRunFinished((run) => announced.push(run));
});

afterAll(async () => {
  await cluster.stopHeartbeat();
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

/** A run another instance (`owner`) started in a conversation of ours. */
async function runElsewhere(owner: string) {
  const conversationId = randomUUID();
  await database.call('open_conversation', { p_id: conversationId, p_visitor_id: visitorId, p_workspace: workspace.name, p_title: 'elsewhere', p_ttl_seconds: 3600 });
  await database.call('start_run', { p_id: randomUUID(), p_conversation_id: conversationId, p_model: 'claude-sonnet-4-5', p_mode: 'plan', p_owner: owner });
  return conversationId;
}

const send = (conversationId: string) => runs.startRun({ visitorId, workspace, conversationId, text: 'hello', model: 'claude-sonnet-4-5', mode: 'plan' });

describe('instances on one database', () => {
  it("a conversation running on another instance answers 409 here, until that instance's silence hands its run over", async () => {
    const other = randomUUID();
    await database.call('instance_heartbeat', { p_id: other });
    const conversationId = await runElsewhere(other);
    await expect(send(conversationId)).rejects.toMatchObject({ status: 409, code: 'conflict:run_active' });

    // This instance beats; the other one is alive for now: its run stays.
    await cluster.startHeartbeat(takeover.takeOverStaleRuns);
    expect(announced.filter((run) => run.conversationId === conversationId)).toEqual([]);
    await expect(send(conversationId)).rejects.toMatchObject({ status: 409 });

    // The other instance goes silent: within the stale time its run is interrupted, announced once.
    await expect.poll(() => announced.filter((run) => run.conversationId === conversationId), { timeout: 10_000, interval: 200 }).toHaveLength(1);
    expect(announced.find((run) => run.conversationId === conversationId)).toMatchObject({ status: 'interrupted', watched: false });
    const [recorded] = await database.call<Array<{ status: string }>>('list_runs', { p_conversation_id: conversationId });
    expect(recorded).toMatchObject({ status: 'interrupted' });

    // Now it runs here.
    const info = await send(conversationId);
    const events = await eventsUntilEnd(runs.requireRun({ runId: info.id, visitorId, workspace: workspace.name }));
    expect(events.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
    expect(announced.filter((run) => run.conversationId === conversationId)).toHaveLength(2);
  }, 30_000);

  it("this instance's own running runs are never taken over while it beats", async () => {
    const conversationId = await runElsewhere(cluster.instanceId());
    await new Promise((resolve) => setTimeout(resolve, 4000)); // longer than the stale time
    const [recorded] = await database.call<Array<{ status: string }>>('list_runs', { p_conversation_id: conversationId });
    expect(recorded).toMatchObject({ status: 'running' });
    expect(announced.filter((run) => run.conversationId === conversationId)).toEqual([]);
  }, 15_000);
});
