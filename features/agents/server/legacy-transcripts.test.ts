/**
 * The move from one shared transcript folder to a home per conversation, with the real Agent SDK
 * and its CLI (in the sandbox) against a scripted Messages API: a transcript left in the old
 * folder still resumes its conversation after the move.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessagesApi } from '@/lib/messages-api/server';
import { eventsUntilEnd, startAgentTestEnv } from '@/tests/fixtures/agent-env';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-legacy-'));
const visitorId = randomUUID();
let api: MessagesApi;
let runs: typeof import('../../runs/server/run-manager');
let conversations: typeof import('@/features/conversations/server');
let workspace: import('@/features/workspaces/server').Workspace;

beforeAll(async () => {
  api = await startAgentTestEnv({ responder: () => ({ blocks: [{ type: 'text', text: 'noted' }] }), dataDir });
  workspace = (await import('@/features/workspaces/server')).createWorkspace({ name: 'shell', files: { 'notes.txt': 'shell notes\n' } });
  runs = await import('../../runs/server/run-manager');
  conversations = await import('@/features/conversations/server');
});

afterAll(async () => {
  (await import('./agent-pool')).closeAllProcesses();
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

async function send(conversationId: string, text: string): Promise<void> {
  const info = await runs.startRun({ visitorId, workspace, conversationId, text, model: 'claude-sonnet-4-5', mode: 'build' });
  const events = await eventsUntilEnd(runs.requireRun({ runId: info.id, visitorId, workspace: workspace.name }));
  expect(events.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
}

describe('transcripts from before each conversation had a home', () => {
  it("move from the old shared folder into their conversations' homes at start, and the rest is deleted", async () => {
    // As an earlier version left them: every transcript in one folder, keyed by the workspace's path.
    const conversationId = randomUUID();
    await send(conversationId, 'words from before the upgrade');
    (await import('./agent-pool')).closeAllProcesses();
    const sessionId = (await conversations.getConversation({ id: conversationId, visitorId, workspace: 'shell' }))!.sdkSessionId!;
    const home = path.join(dataDir, 'agents', conversationId);
    const oldFolder = path.join(dataDir, 'claude', 'projects', workspace.filesDir.replace(/[^a-zA-Z0-9]/g, '-'));
    mkdirSync(path.join(oldFolder, 'memory'), { recursive: true });
    renameSync(path.join(home, '.claude', 'projects', '-workspace', `${sessionId}.jsonl`), path.join(oldFolder, `${sessionId}.jsonl`));
    writeFileSync(path.join(oldFolder, `${randomUUID()}.jsonl`), '{"type":"user"}\n'); // a conversation that is gone
    writeFileSync(path.join(oldFolder, 'memory', 'MEMORY.md'), 'shared by everyone');

    expect(await (await import('./legacy-transcripts')).moveLegacyTranscripts()).toBe(1);
    expect(existsSync(path.join(dataDir, 'claude'))).toBe(false);
    await send(conversationId, 'words after the upgrade');
    expect(JSON.stringify(api.requests.at(-1)!.messages)).toContain('words from before the upgrade');
  });
});
