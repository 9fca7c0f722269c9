/**
 * Forgetting, on the real Agent SDK and CLI against the scripted API: a deleted conversation is
 * gone from the database, from memory and from disk — even with a run in progress — and the
 * sweep removes transcripts whose conversation is gone (deleted or purged).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastUserText, type MessagesApi, type Reply } from '@/lib/messages-api/server';
import { startAgentTestEnv } from '@/tests/fixtures/agent-env';
import type { RunEvent, RunInfo } from '../types';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-forget-'));
let api: MessagesApi;
let runs: typeof import('./run-manager');
let forget: typeof import('./forget');
let conversations: typeof import('@/features/conversations/server');
let queries: typeof import('./queries');
let workspace: import('@/features/workspaces/server').Workspace;
const visitorId = randomUUID();

function script(request: Parameters<typeof lastUserText>[0]): Reply {
  if (lastUserText(request).includes('slow')) return { blocks: [{ type: 'text_chunks', chunks: Array.from({ length: 300 }, (_, i) => `w${i} `) }], delayMs: 20 };
  return { blocks: [{ type: 'text', text: 'noted' }] };
}

beforeAll(async () => {
  api = await startAgentTestEnv({ responder: script, dataDir });
  workspace = (await import('@/features/workspaces/server')).createWorkspace({ name: 'forget' });
  runs = await import('./run-manager');
  forget = await import('./forget');
  forget.forgetDeletedConversations();
  conversations = await import('@/features/conversations/server');
  queries = await import('./queries');
});

afterAll(async () => {
  (await import('../../agents/server/agent-pool')).closeAllProcesses();
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

async function talk(conversationId: string, text = 'hello', visitor = visitorId): Promise<RunInfo> {
  const info = await runs.startRun({ visitorId: visitor, workspace, conversationId, text, model: 'claude-sonnet-4-5', mode: 'build' });
  if (!text.includes('slow')) await ended(info, visitor);
  return info;
}

function ended(info: RunInfo, visitor = visitorId): Promise<RunEvent> {
  const run = runs.requireRun({ runId: info.id, visitorId: visitor, workspace: workspace.name });
  return new Promise((resolve) => run.subscribe(0, (event) => event.type === 'end' && resolve(event)));
}

const home = (conversationId: string) => path.join(dataDir, 'agents', conversationId);

describe('deleting conversations', () => {
  it('removes a conversation with its run records, its transcript and its warm process', async () => {
    const conversationId = randomUUID();
    const info = await talk(conversationId);
    expect(existsSync(home(conversationId))).toBe(true);

    expect(await conversations.deleteConversationsForGood({ visitorId, workspace: 'forget', ids: [conversationId] })).toEqual([conversationId]);
    expect(await conversations.getConversation({ id: conversationId, visitorId, workspace: 'forget' })).toBeNull();
    expect(await queries.listRuns(conversationId)).toEqual([]);
    expect(existsSync(home(conversationId))).toBe(false);
    expect(() => runs.requireRun({ runId: info.id, visitorId, workspace: 'forget' })).toThrow(expect.objectContaining({ code: 'not_found:run' }));
    expect(runs.isBusy(conversationId)).toBe(false);
  });

  it('stops a run in progress first', async () => {
    const conversationId = randomUUID();
    const info = await talk(conversationId, 'slow answer');
    const end = ended(info);
    await conversations.deleteConversationsForGood({ visitorId, workspace: 'forget', ids: [conversationId] });
    expect(await end).toMatchObject({ type: 'end', status: 'stopped' });
    expect(existsSync(home(conversationId))).toBe(false);
  });

  it("clears all of the visitor's conversations in the workspace, and only theirs", async () => {
    const mine = [randomUUID(), randomUUID()];
    const theirs = randomUUID();
    const stranger = randomUUID();
    for (const id of mine) await talk(id);
    await talk(theirs, 'hello', stranger);

    expect((await conversations.deleteConversationsForGood({ visitorId, workspace: 'forget', ids: null })).sort()).toEqual(expect.arrayContaining(mine.sort()));
    for (const id of mine) expect(existsSync(home(id))).toBe(false);
    expect(await conversations.getConversation({ id: theirs, visitorId: stranger, workspace: 'forget' })).not.toBeNull();
    expect(existsSync(home(theirs))).toBe(true);
    // Someone else's id deletes nothing.
    expect(await conversations.deleteConversationsForGood({ visitorId, workspace: 'forget', ids: [theirs] })).toEqual([]);
    expect(existsSync(home(theirs))).toBe(true);
  });

  it('sweeps the transcripts of conversations that are gone: purged when they expired, or never recorded', async () => {
    const expiring = randomUUID();
    await talk(expiring);
    (await import('../../agents/server/agent-pool')).closeAllProcesses();
    await conversations.setSdkSession(expiring, null);
    const db = await (await import('@/lib/db/connection')).db();
    // Expire it now (set_session with a zero lifetime), then purge as the timer does.
    await db.call('set_session', { p_id: expiring, p_sdk_session_id: null, p_ttl_seconds: 0 });
    await db.call('purge_expired', {});
    const orphan = randomUUID();
    mkdirSync(path.join(home(orphan), '.claude'), { recursive: true });
    const kept = randomUUID();
    await talk(kept);

    expect(await forget.sweepAgentHomes()).toBeGreaterThanOrEqual(2);
    expect(existsSync(home(expiring))).toBe(false);
    expect(existsSync(home(orphan))).toBe(false);
    expect(existsSync(home(kept))).toBe(true);
  });
});
