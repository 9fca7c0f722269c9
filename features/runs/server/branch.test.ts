/**
 * "Branch from here" on the real Agent SDK and CLI against the scripted Messages API: the new
 * conversation's history ends at the branch point, its next message is answered from that history
 * alone, and the conversation it came from is left as it was.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsUntilEnd, startAgentTestEnv } from '@/tests/fixtures/agent-env';
import { lastUserText, type MessagesApi, type MessagesRequest, type Reply } from '@/lib/messages-api/server';
import type { ChatItem } from '../../timeline/chat-items';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-branch-'));
let api: MessagesApi;
let runs: typeof import('./run-manager');
let views: typeof import('./conversation-view');
let branches: typeof import('./branch');
let conversations: typeof import('@/features/conversations/server');
let workspace: import('@/features/workspaces/server').Workspace;
const visitorId = randomUUID();

const script = (request: MessagesRequest): Reply => ({ blocks: [{ type: 'text', text: `You said: ${lastUserText(request)}` }] });

beforeAll(async () => {
  api = await startAgentTestEnv({ responder: script, dataDir });
  workspace = (await import('@/features/workspaces/server')).createWorkspace({ name: 'branch' });
  runs = await import('./run-manager');
  views = await import('./conversation-view');
  branches = await import('./branch');
  conversations = await import('@/features/conversations/server');
});

afterAll(async () => {
  (await import('../../agents/server/agent-pool')).closeAllProcesses();
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

async function send(conversationId: string, text: string, by = visitorId): Promise<void> {
  const info = await runs.startRun({ visitorId: by, workspace, conversationId, text, model: 'claude-sonnet-4-5', mode: 'build' });
  await eventsUntilEnd(runs.requireRun({ runId: info.id, visitorId: by, workspace: workspace.name }));
}

/** The history's messages, as a reader sees them. */
const shown = async (conversationId: string, by = visitorId) =>
  (await views.conversationView({ visitorId: by, workspace, conversationId })).items.flatMap((item: ChatItem) =>
    item.kind === 'user' || item.kind === 'assistant' ? [`${item.kind}: ${item.text}`] : [],
  );
/** The visitor's prompts in the latest request to the model. */
const promptsSent = () =>
  api.requests
    .at(-1)!
    .messages.filter((message) => message.role === 'user')
    .map((message) => lastUserText({ ...api.requests.at(-1)!, messages: [message] }))
    .filter((text) => text && !text.startsWith('<'));
const branch = (conversationId: string, keepPrompts: number, by = visitorId) => branches.branchConversation({ actor: by, visitorId: by, workspace, conversationId, keepPrompts });

describe('branch from here', () => {
  const original = randomUUID();
  const before = ['user: first', 'assistant: You said: first', 'user: second', 'assistant: You said: second', 'user: third', 'assistant: You said: third'];

  beforeAll(async () => {
    for (const text of ['first', 'second', 'third']) await send(original, text);
    expect(await shown(original)).toEqual(before);
  });

  it('makes a new conversation with the history up to the chosen answer, answered from that history alone', async () => {
    const made = await branch(original, 2);
    expect(made.conversationId).not.toBe(original);
    expect(made.title).toBe('first (branch)');
    expect(await shown(made.conversationId)).toEqual(before.slice(0, 4));

    await send(made.conversationId, 'fourth');
    expect(promptsSent()).toEqual(['first', 'second', 'fourth']);
    expect(await shown(made.conversationId)).toEqual([...before.slice(0, 4), 'user: fourth', 'assistant: You said: fourth']);
    // The conversation it came from is as it was, and goes on from its own history.
    expect(await shown(original)).toEqual(before);
    await send(original, 'fifth');
    expect(promptsSent()).toEqual(['first', 'second', 'third', 'fifth']);
    const listed = await conversations.listConversations({ visitorId, workspace: workspace.name });
    expect(listed.map((entry) => entry.id)).toEqual(expect.arrayContaining([original, made.conversationId]));
  });

  it('from the latest answer keeps the whole conversation', async () => {
    const made = await branch(original, 4);
    expect(await shown(made.conversationId)).toEqual([...before, 'user: fifth', 'assistant: You said: fifth']);
  });

  it('refuses a point past the end, and anyone else’s conversation looks missing', async () => {
    await expect(branch(original, 9)).rejects.toMatchObject({ code: 'bad_request:no_such_message' });
    await expect(branch(original, 1, randomUUID())).rejects.toMatchObject({ code: 'not_found:conversation' });
    await expect(branch(randomUUID(), 1)).rejects.toMatchObject({ code: 'not_found:conversation' });
  });
});
