/**
 * Transcripts in the database (TETHER_TRANSCRIPTS=database), with the real SDK and CLI (in its
 * sandbox where this machine has one) against the scripted Messages API: the SDK mirrors every
 * line into the store, and a conversation resumes from the store on an instance whose disk never
 * had it — here, this one after its agent homes are deleted, with no warm process left.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastUserText, type MessagesApi, type MessagesRequest, type Reply } from '@/lib/messages-api/server';
import { eventsUntilEnd, startAgentTestEnv } from '@/tests/fixtures/agent-env';
import type { RunEvent } from '../types';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-transcripts-db-'));
const visitorId = randomUUID();
let api: MessagesApi;
let runs: typeof import('./run-manager');
let conversations: typeof import('@/features/conversations/server');
let views: typeof import('./conversation-view');
let workspace: import('@/features/workspaces/server').Workspace;
let store: typeof import('../../agents/server/transcript-store');

/** Answers with what the model was sent: the follow-up proves the earlier turn came along. */
function script(request: MessagesRequest): Reply {
  const prompt = lastUserText(request);
  if (prompt.includes('Which word')) {
    const earlier = JSON.stringify(request.messages).includes('remember the word PELICAN');
    return { blocks: [{ type: 'text', text: earlier ? 'The word was PELICAN.' : 'I was never told a word.' }] };
  }
  return { blocks: [{ type: 'text', text: 'Noted.' }] };
}

beforeAll(async () => {
  api = await startAgentTestEnv({ responder: script, dataDir, env: { TETHER_TRANSCRIPTS: 'database', TETHER_WARM_IDLE_SECONDS: '0' } });
  workspace = (await import('@/features/workspaces/server')).createWorkspace({ name: 'alpha', files: { 'notes.txt': 'notes' } });
  runs = await import('./run-manager');
  conversations = await import('@/features/conversations/server');
  views = await import('./conversation-view');
  store = await import('../../agents/server/transcript-store');
});

afterAll(async () => {
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

async function send(conversationId: string, text: string): Promise<RunEvent[]> {
  const info = await runs.startRun({ visitorId, workspace, conversationId, text, model: 'claude-sonnet-4-5', mode: 'plan' });
  return eventsUntilEnd(runs.requireRun({ runId: info.id, visitorId, workspace: workspace.name }));
}

const textOf = (events: RunEvent[]) => events.flatMap((event) => (event.type === 'text' ? [event.text] : [])).join('');
const turnsOf = (items: Array<{ kind: string; text?: string }>) => items.filter((item) => item.kind === 'user' || item.kind === 'assistant').map((item) => `${item.kind}: ${item.text}`);

describe('transcripts in the database', () => {
  it('a conversation resumes from the store on a disk that never had it, with its history, and goes when it is deleted', async () => {
    const conversationId = randomUUID();
    expect((await send(conversationId, 'Please remember the word PELICAN')).at(-1)).toMatchObject({ type: 'end', status: 'completed' });
    const { sdkSessionId } = (await conversations.getConversation({ id: conversationId, visitorId, workspace: workspace.name }))!;
    const key = { projectKey: '-workspace', sessionId: sdkSessionId! };
    // The SDK mirrored the transcript, under a key that names no path of this instance.
    const mirrored = await store.databaseTranscriptStore(conversationId).load(key);
    expect(JSON.stringify(mirrored)).toContain('remember the word PELICAN');

    // Another instance's disk: nothing of this conversation (no process is warm: TETHER_WARM_IDLE_SECONDS=0).
    rmSync(path.join(dataDir, 'agents', conversationId), { recursive: true, force: true });
    const followUp = await send(conversationId, 'Which word did I ask you to remember?');
    expect(textOf(followUp)).toBe('The word was PELICAN.');
    expect(followUp.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
    expect((await conversations.getConversation({ id: conversationId, visitorId, workspace: workspace.name }))!.sdkSessionId).toBe(sdkSessionId);

    // History comes from the store too, whatever this disk holds.
    rmSync(path.join(dataDir, 'agents', conversationId), { recursive: true, force: true });
    const view = await views.conversationView({ visitorId, workspace, conversationId });
    expect(turnsOf(view.items)).toEqual(['user: Please remember the word PELICAN', 'assistant: Noted.', 'user: Which word did I ask you to remember?', 'assistant: The word was PELICAN.']);

    (await import('./forget')).forgetDeletedConversations();
    await (await import('@/features/conversations/server')).deleteConversationsForGood({ visitorId, workspace: workspace.name, ids: [conversationId] });
    expect(await store.databaseTranscriptStore(conversationId).load(key)).toBeNull();
    expect(existsSync(path.join(dataDir, 'agents', conversationId))).toBe(false);
  });

  it('a session that was only on disk is copied to the store before it resumes', async () => {
    const conversationId = randomUUID();
    await send(conversationId, 'Please remember the word PELICAN');
    const { sdkSessionId } = (await conversations.getConversation({ id: conversationId, visitorId, workspace: workspace.name }))!;
    const key = { projectKey: '-workspace', sessionId: sdkSessionId! };
    // As if it had been written before transcripts went to the database: gone from the store.
    await store.databaseTranscriptStore(conversationId).delete!(key);
    expect(textOf(await send(conversationId, 'Which word did I ask you to remember?'))).toBe('The word was PELICAN.');
    // Both turns are in the store now: a third message resumes anywhere.
    rmSync(path.join(dataDir, 'agents', conversationId), { recursive: true, force: true });
    expect(textOf(await send(conversationId, 'Which word did I ask you to remember, once more?'))).toBe('The word was PELICAN.');
  });

  it('a branch is kept in the store: it resumes on a disk that has neither conversation', async () => {
    const conversationId = randomUUID();
    await send(conversationId, 'Please remember the word PELICAN');
    await send(conversationId, 'Forget it: the word is now HERON');
    const { branchConversation } = await import('./branch');
    const branch = await branchConversation({ actor: visitorId, visitorId, workspace, conversationId, keepPrompts: 1 });
    for (const id of [conversationId, branch.conversationId]) rmSync(path.join(dataDir, 'agents', id), { recursive: true, force: true });
    expect(turnsOf((await views.conversationView({ visitorId, workspace, conversationId: branch.conversationId })).items)).toEqual(['user: Please remember the word PELICAN', 'assistant: Noted.']);
    expect(textOf(await send(branch.conversationId, 'Which word did I ask you to remember?'))).toBe('The word was PELICAN.');
    expect(JSON.stringify(api.requests.at(-1)!.messages)).not.toContain('HERON');
  });
});
