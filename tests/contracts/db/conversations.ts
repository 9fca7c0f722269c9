/** Conversations: open, read, expire, map to SDK sessions, list, rename, delete, purge. */
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { Db } from '@/lib/db/types';
import { contractCalls, ISO, tick } from './calls';

export function defineConversationContract(getDb: () => Db) {
  const { open, get, startRun, finishRun, listRuns } = contractCalls(getDb);

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

  it('another visitor or workspace gets null and leaves the row untouched', async () => {
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
}
