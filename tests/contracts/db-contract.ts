/**
 * The behaviour every transport must show, as a vitest suite. db.test.ts runs it on PGlite and
 * Postgres, supabase.test.ts through supabase-js against a fake PostgREST. Tests share one
 * database and run in order, so each makes its own conversations (random ids).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DbError } from '@/lib/db/errors';
import type { Db } from '@/lib/db/types';

type Conversation = {
  id: string;
  visitorId: string;
  workspace: string;
  sdkSessionId: string | null;
  title: string | null;
  muted: boolean;
  createdAt: string;
  lastActivityAt: string;
  expiresAt: string;
};
type Run = {
  id: string;
  conversationId: string;
  model: string;
  mode: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  costUsd: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  durationMs: number | null;
  error: string | null;
};

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
// Past the timestamps' millisecond precision, so "later" is observable.
const tick = () => new Promise((resolve) => setTimeout(resolve, 15));

export function defineDbContract(getDb: () => Db) {
  const open = (p: { id: string; visitor?: string; workspace?: string; title?: string; ttl?: number }) =>
    getDb().call<Conversation | null>('open_conversation', {
      p_id: p.id,
      p_visitor_id: p.visitor ?? 'visitor-a',
      p_workspace: p.workspace ?? 'demo',
      p_title: p.title ?? 'Hello',
      p_ttl_seconds: p.ttl ?? 3600,
    });
  const get = (id: string, visitor = 'visitor-a', workspace = 'demo') =>
    getDb().call<Conversation | null>('get_conversation', {
      p_id: id,
      p_visitor_id: visitor,
      p_workspace: workspace,
    });
  const startRun = (conversationId: string, id = randomUUID(), owner: string | null = null) =>
    getDb().call<Run>('start_run', {
      p_id: id,
      p_conversation_id: conversationId,
      p_model: 'claude-sonnet-4-5',
      p_mode: 'build',
      p_owner: owner,
    });
  const finishRun = (id: string, status: string, extra: Partial<Record<string, unknown>> = {}) =>
    getDb().call<Run | null>('finish_run', {
      p_id: id,
      p_status: status,
      p_cost_usd: null,
      p_input_tokens: null,
      p_output_tokens: null,
      p_duration_ms: null,
      p_error: null,
      ...extra,
    });
  const listRuns = (conversationId: string) =>
    getDb().call<Run[]>('list_runs', { p_conversation_id: conversationId });

  it('open creates the conversation and returns it as camelCase JSON', async () => {
    const id = randomUUID();
    const c = await open({ id, title: 'First', ttl: 600 });
    expect(c).toEqual({
      id,
      visitorId: 'visitor-a',
      workspace: 'demo',
      sdkSessionId: null,
      title: 'First',
      muted: false,
      createdAt: expect.stringMatching(ISO),
      lastActivityAt: expect.stringMatching(ISO),
      expiresAt: expect.stringMatching(ISO),
    });
    expect(Date.parse(c!.expiresAt) - Date.parse(c!.lastActivityAt)).toBe(600_000);
    expect(await get(id)).toEqual(c);
  });

  it('reopening slides the expiry and keeps the title; reading does not', async () => {
    const id = randomUUID();
    const first = await open({ id, title: 'Kept' });
    await tick();
    const again = await open({ id, title: 'Ignored' });
    expect(again!.title).toBe('Kept');
    expect(again!.createdAt).toBe(first!.createdAt);
    expect(Date.parse(again!.lastActivityAt)).toBeGreaterThan(Date.parse(first!.lastActivityAt));
    expect(Date.parse(again!.expiresAt)).toBeGreaterThan(Date.parse(first!.expiresAt));
    await tick();
    expect(await get(id)).toEqual(again);
  });

  it("another visitor or workspace gets null and leaves the row untouched", async () => {
    const id = randomUUID();
    const mine = await open({ id, title: 'Mine' });
    await tick();
    expect(await open({ id, visitor: 'visitor-b', title: 'Theirs' })).toBeNull();
    expect(await open({ id, workspace: 'other', title: 'Theirs' })).toBeNull();
    expect(await get(id, 'visitor-b')).toBeNull();
    expect(await get(id, 'visitor-a', 'other')).toBeNull();
    expect(await get(id)).toEqual(mine);
  });

  it('an expired conversation reads as null and is purged on access', async () => {
    const id = randomUUID();
    await open({ id, title: 'Old', ttl: 0 });
    expect(await get(id)).toBeNull();
    // Purged, not merely hidden: opening it again starts a new conversation (the title of a
    // refreshed one would have been kept).
    const fresh = await open({ id, title: 'New' });
    expect(fresh!.title).toBe('New');

    // Expired rows are free for anyone: the old owner's data is gone.
    const other = randomUUID();
    await open({ id: other, title: 'Old', ttl: -60 });
    expect((await open({ id: other, visitor: 'visitor-b', title: 'B' }))!.visitorId).toBe('visitor-b');
  });

  it('set_session maps and clears the SDK session and slides the expiry', async () => {
    const id = randomUUID();
    const before = await open({ id, ttl: 60 });
    await tick();
    expect(await getDb().call('set_session', { p_id: id, p_sdk_session_id: 'sess-1', p_ttl_seconds: 3600 })).toBeNull();
    const mapped = await get(id);
    expect(mapped!.sdkSessionId).toBe('sess-1');
    expect(Date.parse(mapped!.expiresAt)).toBeGreaterThan(Date.parse(before!.expiresAt));

    await getDb().call('set_session', { p_id: id, p_sdk_session_id: null, p_ttl_seconds: 3600 });
    expect((await get(id))!.sdkSessionId).toBeNull();

    // An expired conversation is not brought back by a late session update.
    const expired = randomUUID();
    await open({ id: expired, ttl: 0 });
    await getDb().call('set_session', { p_id: expired, p_sdk_session_id: 'late', p_ttl_seconds: 3600 });
    expect(await get(expired)).toBeNull();
  });

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
    expect(taken.filter((run) => ours.has(run.id)).map((run) => run.id).sort()).toEqual([silentRun.id, unknownRun.id, unownedRun.id].sort());
    expect(taken.find((run) => run.id === silentRun.id)).toEqual({ id: silentRun.id, conversationId: silentRun.conversationId, model: 'claude-sonnet-4-5', mode: 'build', startedAt: silentRun.startedAt });
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

  it("conversation_statuses gives each of the caller's live conversations its latest run's status, in the order asked", async () => {
    const statuses = (ids: string[], visitor = 'visitor-a', workspace = 'demo') =>
      getDb().call<Array<{ id: string; lastRunId: string | null; lastRunStatus: string | null; lastRunFinishedAt: string | null }>>('conversation_statuses', {
        p_visitor_id: visitor,
        p_workspace: workspace,
        p_ids: ids,
      });
    const [idle, working, finished, theirs, otherWorkspace, expired] = Array.from({ length: 6 }, () => randomUUID());
    await open({ id: idle! });
    await open({ id: working! });
    await open({ id: finished! });
    await open({ id: theirs!, visitor: 'visitor-b' });
    await open({ id: otherWorkspace!, workspace: 'other' });
    await open({ id: expired!, ttl: 0 });
    const workingRun = await startRun(working!);
    const theirRun = await startRun(theirs!);
    await startRun(otherWorkspace!);
    // The latest run is the last one started.
    const earlier = await startRun(finished!);
    await finishRun(earlier.id, 'completed');
    await tick();
    const latest = await startRun(finished!);
    const stopped = await finishRun(latest.id, 'stopped');

    const asked = [finished!, randomUUID(), theirs!, idle!, otherWorkspace!, expired!, working!, finished!];
    expect(await statuses(asked)).toEqual([
      { id: finished, lastRunId: latest.id, lastRunStatus: 'stopped', lastRunFinishedAt: stopped!.finishedAt },
      { id: idle, lastRunId: null, lastRunStatus: null, lastRunFinishedAt: null },
      { id: working, lastRunId: workingRun.id, lastRunStatus: 'running', lastRunFinishedAt: null },
    ]);
    expect(stopped!.finishedAt).toMatch(ISO);
    expect(await statuses([theirs!], 'visitor-b')).toEqual([{ id: theirs, lastRunId: theirRun.id, lastRunStatus: 'running', lastRunFinishedAt: null }]);
    expect(await statuses([])).toEqual([]);
    expect(await statuses([randomUUID()])).toEqual([]);
  });

  it('conversations_for_sessions maps SDK sessions to the unexpired conversations that continue them', async () => {
    const [live, expired, unmapped] = Array.from({ length: 3 }, () => randomUUID());
    const [liveSession, expiredSession] = [randomUUID(), randomUUID()];
    for (const id of [live!, expired!, unmapped!]) await open({ id });
    await getDb().call('set_session', { p_id: live, p_sdk_session_id: liveSession, p_ttl_seconds: 3600 });
    await getDb().call('set_session', { p_id: expired, p_sdk_session_id: expiredSession, p_ttl_seconds: 0 }); // expires now
    expect(await getDb().call('conversations_for_sessions', { p_sdk_session_ids: [liveSession, expiredSession, randomUUID()] })).toEqual({ [liveSession]: live });
    expect(await getDb().call('conversations_for_sessions', { p_sdk_session_ids: [] })).toEqual({});
  });

  it("delete_conversations deletes the visitor's own conversations (one, or all in the workspace) with their runs, and says which", async () => {
    const [one, two, three, theirs, elsewhere] = Array.from({ length: 5 }, () => randomUUID());
    for (const id of [one!, two!, three!]) await open({ id, visitor: 'visitor-del' });
    await open({ id: theirs!, visitor: 'visitor-other' });
    await open({ id: elsewhere!, visitor: 'visitor-del', workspace: 'other' });
    await startRun(one!);
    const del = (ids: string[] | null, visitor = 'visitor-del') => getDb().call<string[]>('delete_conversations', { p_visitor_id: visitor, p_workspace: 'demo', p_ids: ids });

    expect(await del([one!, theirs!])).toEqual([one]);
    expect(await get(one!, 'visitor-del')).toBeNull();
    expect(await listRuns(one!)).toEqual([]);
    expect(await getDb().call('existing_conversations', { p_ids: [one, two, theirs] })).toEqual(expect.arrayContaining([two, theirs]));
    expect((await del(null)).sort()).toEqual([two, three].sort());
    expect(await get(theirs!, 'visitor-other')).not.toBeNull();
    expect(await get(elsewhere!, 'visitor-del', 'other')).not.toBeNull();
    expect(await del(null)).toEqual([]);
    expect(await getDb().call('existing_conversations', { p_ids: [one, two, three] })).toEqual([]);
  });

  it("rename_conversation renames the caller's own live conversation only", async () => {
    const id = randomUUID();
    await open({ id, title: 'Before' });
    const rename = (visitor: string, title: string) => getDb().call<string | null>('rename_conversation', { p_id: id, p_visitor_id: visitor, p_workspace: 'demo', p_title: title });
    expect(await rename('visitor-b', 'Hijacked')).toBeNull();
    expect(await rename('visitor-a', 'After')).toBe('After');
    expect(await get(id)).toMatchObject({ title: 'After' });
  });

  it("run changes: recorded per run, listed without contents, given to the owner only, undone once", async () => {
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
    expect(await getDb().call('list_run_changes', { p_conversation_id: conversationId })).toEqual([
      {
        runId: run.id,
        undoneAt: null,
        files: [
          { path: 'new.md', patch: '@@ -0,0 +1 @@\n+x', added: 1, removed: 0, restorable: true },
          { path: 'src/a.ts', patch: '@@ -1 +1 @@\n-a\n+b', added: 1, removed: 1, restorable: true },
        ],
      },
    ]);
    const changesOf = (visitor: string) => getDb().call<{ files: Array<{ path: string; before: string | null; after: string | null }> } | null>('get_run_changes', { p_run_id: run.id, p_visitor_id: visitor, p_workspace: 'demo' });
    expect(await changesOf('visitor-b')).toBeNull();
    expect((await changesOf('visitor-a'))!.files).toEqual([
      { path: 'new.md', before: null, after: 'x\n', restorable: true },
      { path: 'src/a.ts', before: 'a\n', after: 'b\n', restorable: true },
    ]);
    expect(await getDb().call('mark_run_changes_undone', { p_run_id: run.id })).toBe(true);
    expect(await getDb().call('mark_run_changes_undone', { p_run_id: run.id })).toBe(false);
    expect(await changesOf('visitor-a')).toMatchObject({ undoneAt: expect.stringMatching(ISO) });
  });

  it("list_conversations gives the caller's live conversations in the workspace, latest first, up to the limit", async () => {
    const visitor = `visitor-${randomUUID()}`;
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const [index, id] of ids.entries()) {
      await open({ id, visitor, title: `Chat ${index}` });
      await tick();
    }
    await open({ id: randomUUID(), visitor, workspace: 'elsewhere' });
    await open({ id: randomUUID(), visitor, ttl: -10 });
    await open({ id: randomUUID(), visitor: 'someone-else' });
    const list = (limit: number) => getDb().call<Array<{ id: string; title: string; lastActivityAt: string }>>('list_conversations', { p_visitor_id: visitor, p_workspace: 'demo', p_limit: limit });
    expect((await list(10)).map((c) => c.title)).toEqual(['Chat 2', 'Chat 1', 'Chat 0']);
    expect((await list(10))[0]).toEqual({ id: ids[2], title: 'Chat 2', lastActivityAt: expect.stringMatching(ISO) });
    expect((await list(2)).map((c) => c.id)).toEqual([ids[2], ids[1]]);
  });

  describe('devices: handoff links and what they grant', () => {
    const actor = (conversation: string, visitor: string, workspace = 'demo') =>
      getDb().call<string | null>('conversation_actor', { p_conversation_id: conversation, p_visitor_id: visitor, p_workspace: workspace });
    const handoff = (conversation: string, hash: string, ttl = 600, visitor = 'visitor-a') =>
      getDb().call<{ expiresAt: string }>('create_handoff', { p_conversation_id: conversation, p_visitor_id: visitor, p_user_agent: 'Desk browser', p_token_hash: hash, p_ttl_seconds: ttl });
    const redeem = (hash: string, visitor: string, workspace = 'demo') =>
      getDb().call<{ status: string; conversationId?: string }>('redeem_handoff', { p_token_hash: hash, p_visitor_id: visitor, p_workspace: workspace, p_user_agent: 'Phone browser' });
    type Listed = { deviceId: string; userAgent: string; addedAt: string; lastSeenAt: string; current: boolean };
    const devices = (conversation: string, visitor: string) => getDb().call<Listed[]>('list_devices', { p_conversation_id: conversation, p_visitor_id: visitor });

    it('a redeemed link makes the browser a device that acts as the owner, for that conversation only; once', async () => {
      const conversation = randomUUID();
      const other = randomUUID();
      await open({ id: conversation });
      await open({ id: other });
      const phone = `phone-${randomUUID()}`;
      expect(await actor(conversation, 'visitor-a')).toBe('visitor-a');
      expect(await actor(conversation, phone)).toBeNull();
      expect(await handoff(conversation, `hash-${conversation}`)).toEqual({ expiresAt: expect.stringMatching(ISO) });
      expect(await redeem(`hash-${conversation}`, phone, 'elsewhere')).toEqual({ status: 'unknown' });
      expect(await redeem(`hash-${conversation}`, phone)).toEqual({ status: 'ok', conversationId: conversation });
      expect(await redeem(`hash-${conversation}`, `thief-${randomUUID()}`)).toEqual({ status: 'used' });
      expect(await redeem('no-such-hash', phone)).toEqual({ status: 'unknown' });
      expect(await actor(conversation, phone)).toBe('visitor-a');
      expect(await actor(conversation, phone, 'elsewhere')).toBeNull();
      expect(await actor(other, phone)).toBeNull();
      const statuses = await getDb().call<Array<{ id: string }>>('conversation_statuses', { p_visitor_id: phone, p_workspace: 'demo', p_ids: [conversation, other] });
      expect(statuses.map((status) => status.id)).toEqual([conversation]);
    });

    it('an expired link says so, and grants nothing', async () => {
      const conversation = randomUUID();
      await open({ id: conversation });
      await handoff(conversation, `expired-${conversation}`, -1);
      expect(await redeem(`expired-${conversation}`, 'late-phone')).toEqual({ status: 'expired' });
      expect(await actor(conversation, 'late-phone')).toBeNull();
    });

    it('lists the devices; revoking one ends its access and its notifications; a revoked owner hands the conversation over', async () => {
      const conversation = randomUUID();
      await open({ id: conversation });
      const phone = `phone-${randomUUID()}`;
      await handoff(conversation, `list-${conversation}`);
      await redeem(`list-${conversation}`, phone);
      const listed = await devices(conversation, phone);
      expect(listed.map(({ userAgent, current }) => ({ userAgent, current }))).toEqual([
        { userAgent: 'Desk browser', current: false },
        { userAgent: 'Phone browser', current: true },
      ]);
      const [desk, phoneDevice] = listed as [Listed, Listed];
      const subscribe = (endpoint: string, device: string) =>
        getDb().call<boolean>('subscribe_push', {
          p_conversation_id: conversation, p_visitor_id: 'visitor-a', p_workspace: 'demo', p_endpoint: endpoint,
          p_public_key: 'k', p_auth_secret: 'a', p_show_preview: false, p_device_visitor_id: device,
        });
      expect(await subscribe('https://push.example/desk', 'visitor-a')).toBe(true);
      expect(await subscribe('https://push.example/phone', phone)).toBe(true);
      const revoke = (device: string, by: string) => getDb().call<boolean>('revoke_device', { p_conversation_id: conversation, p_device_id: device, p_visitor_id: by });
      expect(await revoke(phoneDevice.deviceId, phone)).toBe(false); // not one's own
      expect(await revoke(phoneDevice.deviceId, 'visitor-a')).toBe(true);
      expect(await actor(conversation, phone)).toBeNull();
      const targets = await getDb().call<{ subscriptions: Array<{ endpoint: string }> }>('push_targets', { p_conversation_id: conversation });
      expect(targets.subscriptions.map((target) => target.endpoint)).toEqual(['https://push.example/desk']);

      // Back on the phone, which then revokes the desk, the owner: the phone owns it now.
      await handoff(conversation, `again-${conversation}`);
      await redeem(`again-${conversation}`, phone);
      expect(await revoke(desk.deviceId, phone)).toBe(true);
      expect(await actor(conversation, 'visitor-a')).toBeNull();
      expect(await actor(conversation, phone)).toBe(phone);
    });
  });

  it('share links: one per conversation, a new one replaces it, turning it off ends it, in its workspace only', async () => {
    const conversation = randomUUID();
    await open({ id: conversation });
    const opened = (hash: string, workspace = 'demo') => getDb().call<{ conversationId: string; ownerId: string } | null>('shared_conversation', { p_token_hash: hash, p_workspace: workspace });
    const shared = () => getDb().call<boolean>('is_shared', { p_conversation_id: conversation });
    expect(await shared()).toBe(false);
    await getDb().call('share_conversation', { p_conversation_id: conversation, p_token_hash: `first-${conversation}` });
    expect(await opened(`first-${conversation}`)).toEqual({ conversationId: conversation, ownerId: 'visitor-a' });
    expect(await opened(`first-${conversation}`, 'elsewhere')).toBeNull();
    await getDb().call('share_conversation', { p_conversation_id: conversation, p_token_hash: `second-${conversation}` });
    expect(await opened(`first-${conversation}`)).toBeNull();
    expect(await opened(`second-${conversation}`)).toMatchObject({ conversationId: conversation });
    expect(await shared()).toBe(true);
    expect(await getDb().call('stop_sharing', { p_conversation_id: conversation })).toBe(true);
    expect(await getDb().call('stop_sharing', { p_conversation_id: conversation })).toBe(false);
    expect(await opened(`second-${conversation}`)).toBeNull();
    expect(await shared()).toBe(false);
  });

  it('purge_expired deletes expired conversations with their runs and counts them', async () => {
    await getDb().call('purge_expired'); // earlier tests leave expired rows behind
    const gone = [randomUUID(), randomUUID()];
    const live = randomUUID();
    await open({ id: gone[0]!, ttl: 0 });
    await open({ id: gone[1]!, ttl: -10 });
    await open({ id: live });
    await startRun(gone[0]!);

    expect(await getDb().call('purge_expired')).toBe(2);
    expect(await listRuns(gone[0]!)).toEqual([]);
    expect(await get(live)).not.toBeNull();
    expect(await getDb().call('purge_expired')).toBe(0);
  });

  describe('push subscriptions', () => {
    type Targets = { muted: boolean; subscriptions: Array<{ endpoint: string; p256dh: string; auth: string; showPreview: boolean }> };
    const subscribe = (p: { conversation: string; endpoint: string; visitor?: string; workspace?: string; p256dh?: string; auth?: string; preview?: boolean }) =>
      getDb().call<boolean>('subscribe_push', {
        p_conversation_id: p.conversation,
        p_visitor_id: p.visitor ?? 'visitor-a',
        p_workspace: p.workspace ?? 'demo',
        p_endpoint: p.endpoint,
        p_public_key: p.p256dh ?? 'key-1',
        p_auth_secret: p.auth ?? 'auth-1',
        p_show_preview: p.preview ?? false,
        p_device_visitor_id: p.visitor ?? 'visitor-a',
      });
    const unsubscribe = (conversation: string, endpoint: string, visitor = 'visitor-a') =>
      getDb().call<boolean | null>('unsubscribe_push', { p_conversation_id: conversation, p_visitor_id: visitor, p_workspace: 'demo', p_endpoint: endpoint });
    const targets = (conversation: string) => getDb().call<Targets | null>('push_targets', { p_conversation_id: conversation });
    const setMuted = (id: string, muted: boolean, visitor = 'visitor-a') =>
      getDb().call<boolean | null>('set_muted', { p_id: id, p_visitor_id: visitor, p_workspace: 'demo', p_muted: muted });
    const endpoint = () => `https://push.example/${randomUUID()}`;

    it("subscribe_push stores a device on the owner's live conversation only, upserting per (conversation, endpoint)", async () => {
      const id = randomUUID();
      await open({ id });
      const [phone, laptop] = [endpoint(), endpoint()];
      expect(await subscribe({ conversation: id, endpoint: phone })).toBe(true);
      expect(await subscribe({ conversation: id, endpoint: laptop, preview: true })).toBe(true);
      // The same device again: keys and preview refreshed, still one row.
      expect(await subscribe({ conversation: id, endpoint: phone, p256dh: 'key-2', auth: 'auth-2', preview: true })).toBe(true);
      expect(await targets(id)).toEqual({
        muted: false,
        subscriptions: [
          { endpoint: phone, p256dh: 'key-2', auth: 'auth-2', showPreview: true },
          { endpoint: laptop, p256dh: 'key-1', auth: 'auth-1', showPreview: true },
        ],
      });

      expect(await subscribe({ conversation: id, endpoint: endpoint(), visitor: 'visitor-b' })).toBe(false);
      expect(await subscribe({ conversation: id, endpoint: endpoint(), workspace: 'other' })).toBe(false);
      expect(await subscribe({ conversation: randomUUID(), endpoint: endpoint() })).toBe(false);
      const expired = randomUUID();
      await open({ id: expired, ttl: 0 });
      expect(await subscribe({ conversation: expired, endpoint: endpoint() })).toBe(false);
      expect((await targets(id))!.subscriptions).toHaveLength(2);
      expect(await targets(expired)).toBeNull();
      expect(await targets(randomUUID())).toBeNull();
    });

    it('one endpoint follows many conversations; a conversation keeps its 10 latest devices', async () => {
      const [a, b] = [randomUUID(), randomUUID()];
      await open({ id: a });
      await open({ id: b });
      const shared = endpoint();
      await subscribe({ conversation: a, endpoint: shared });
      await subscribe({ conversation: b, endpoint: shared });
      expect((await targets(a))!.subscriptions.map((s) => s.endpoint)).toEqual([shared]);
      expect((await targets(b))!.subscriptions.map((s) => s.endpoint)).toEqual([shared]);

      const many = Array.from({ length: 11 }, endpoint);
      for (const device of many) {
        await tick();
        await subscribe({ conversation: a, endpoint: device });
      }
      const kept = (await targets(a))!.subscriptions.map((s) => s.endpoint);
      expect(kept.sort()).toEqual(many.slice(1).sort());
    });

    it('unsubscribe_push is idempotent for the owner and NULL for anyone else', async () => {
      const id = randomUUID();
      await open({ id });
      const device = endpoint();
      await subscribe({ conversation: id, endpoint: device });
      expect(await unsubscribe(id, device, 'visitor-b')).toBeNull();
      expect((await targets(id))!.subscriptions).toHaveLength(1);
      expect(await unsubscribe(id, device)).toBe(true);
      expect(await unsubscribe(id, device)).toBe(false);
      expect(await unsubscribe(randomUUID(), device)).toBeNull();
      expect((await targets(id))!.subscriptions).toEqual([]);
    });

    it('set_muted stores the flag for the owner only', async () => {
      const id = randomUUID();
      await open({ id });
      expect(await setMuted(id, true)).toBe(true);
      expect(await targets(id)).toMatchObject({ muted: true });
      expect((await get(id))!.muted).toBe(true);
      expect(await setMuted(id, false, 'visitor-b')).toBeNull();
      expect((await get(id))!.muted).toBe(true);
      expect(await setMuted(id, false)).toBe(false);
      expect(await targets(id)).toMatchObject({ muted: false });
      expect(await setMuted(randomUUID(), true)).toBeNull();
    });

    it('delete_push_subscription removes a dead endpoint from every conversation; purging a conversation removes its devices', async () => {
      const [a, b, doomed] = [randomUUID(), randomUUID(), randomUUID()];
      for (const id of [a, b, doomed]) await open({ id });
      const [dead, alive, orphan] = [endpoint(), endpoint(), endpoint()];
      await subscribe({ conversation: a, endpoint: dead });
      await subscribe({ conversation: b, endpoint: dead });
      await subscribe({ conversation: b, endpoint: alive });
      await subscribe({ conversation: doomed, endpoint: orphan });

      expect(await getDb().call('delete_push_subscription', { p_endpoint: dead })).toBe(2);
      expect(await getDb().call('delete_push_subscription', { p_endpoint: dead })).toBe(0);
      expect((await targets(a))!.subscriptions).toEqual([]);
      expect((await targets(b))!.subscriptions.map((s) => s.endpoint)).toEqual([alive]);

      await open({ id: doomed, ttl: 0 }); // reopened with no time left: expired now
      await getDb().call('purge_expired');
      expect(await getDb().call('delete_push_subscription', { p_endpoint: orphan })).toBe(0);
    });
  });

  it('a bad argument raises a DbError naming the function', async () => {
    const error = await getDb()
      .call('get_conversation', { p_id: 'not-a-uuid', p_visitor_id: 'v', p_workspace: 'w' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DbError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ fn: 'get_conversation', code: '22P02' });
    expect((error as Error).message).toMatch(/get_conversation/);
  });

  it('refuses function and argument names that are not plain identifiers', async () => {
    await expect(getDb().call('purge_expired(); drop schema tether; --')).rejects.toBeInstanceOf(DbError);
    await expect(getDb().call('list_runs', { 'p_x) --': 1 })).rejects.toBeInstanceOf(DbError);
  });
}
