/**
 * Subagents on the real Agent SDK and CLI against the scripted Messages API: an Agent call's own
 * tool calls reach the stream nested under it, are confined like the agent's own, and its report
 * is its result.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsUntilEnd, startAgentTestEnv } from '@/tests/fixtures/agent-env';
import { lastToolResults, lastUserText, type MessagesApi, type MessagesRequest, type Reply } from '@/lib/messages-api/server';
import { foldRunEvent, type ChatItem } from '../../timeline/chat-items';
import type { RunEvent } from '../types';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-subagents-'));
let api: MessagesApi;
let runs: typeof import('./run-manager');
let views: typeof import('./conversation-view');
let workspace: import('@/features/workspaces/server').Workspace;
const visitorId = randomUUID();

function script(request: MessagesRequest): Reply {
  const results = lastToolResults(request);
  // The subagent's own session starts with the prompt it was given.
  if (lastUserText({ ...request, messages: request.messages.slice(0, 1) }).includes('SUBTASK')) {
    const calls = JSON.stringify(request.messages).split('"type":"tool_use"').length - 1;
    if (calls === 0) return { blocks: [{ type: 'tool_use', name: 'Read', input: { file_path: '/etc/passwd' } }] };
    if (calls === 1) return { blocks: [{ type: 'tool_use', name: 'Glob', input: { pattern: '*.txt' } }] };
    return { blocks: [{ type: 'text', text: 'Found notes.txt.' }] };
  }
  if (results.length > 0) return { blocks: [{ type: 'text', text: 'The subagent looked.' }] };
  return { blocks: [{ type: 'tool_use', name: 'Agent', input: { description: 'Look at the files', prompt: 'SUBTASK: list the files', subagent_type: 'general-purpose', run_in_background: false } }] };
}

beforeAll(async () => {
  api = await startAgentTestEnv({ responder: script, dataDir });
  workspace = (await import('@/features/workspaces/server')).createWorkspace({ name: 'subagents', files: { 'notes.txt': 'notes' } });
  runs = await import('./run-manager');
  views = await import('./conversation-view');
});

afterAll(async () => {
  (await import('../../agents/server/agent-pool')).closeAllProcesses();
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

describe('a subagent', () => {
  it("shows its own tool calls nested under its card as they happen, confined like the agent's, and its report as the result", async () => {
    const conversationId = randomUUID();
    const info = await runs.startRun({ visitorId, workspace, conversationId, text: 'delegate a look', model: 'claude-sonnet-4-5', mode: 'build' });
    const events = await eventsUntilEnd(runs.requireRun({ runId: info.id, visitorId, workspace: workspace.name }));
    expect((events.at(-1) as Extract<RunEvent, { type: 'end' }>).status).toBe('completed');
    const agent = events.find((event) => event.type === 'tool' && event.name === 'Agent') as Extract<RunEvent, { type: 'tool' }>;
    expect(agent).toMatchObject({ target: 'Look at the files' });
    expect(agent.parentToolId ?? null).toBeNull();

    const items = events.reduce<ChatItem[]>(foldRunEvent, []).filter((item) => item.kind === 'tool');
    expect(items.map((item) => [item.name, item.parentId ?? null, item.status])).toEqual([
      ['Agent', null, 'ok'],
      ['Read', agent.toolId, 'denied'],
      ['Glob', agent.toolId, 'ok'],
    ]);
    // The nested calls came while the Agent call ran, before its result.
    const resultAt = events.findIndex((event) => event.type === 'tool_result' && event.toolId === agent.toolId);
    expect(events.findIndex((event) => event.type === 'tool' && event.name === 'Glob')).toBeLessThan(resultAt);
    expect(items[0]).toMatchObject({ summary: 'Found notes.txt.' });
    expect(items[1]!.summary).toMatch(/outside this workspace/);

    // The history has the card, its report, and the subagent's steps (read from the subagent's own transcript).
    const kept = (await views.conversationView({ visitorId, workspace, conversationId })).items.filter((item) => item.kind === 'tool');
    expect(kept.map((item) => [item.name, item.parentId ?? null, item.status])).toEqual(items.map((item) => [item.name, item.parentId ?? null, item.status]));
    expect(kept[0]).toMatchObject({ target: 'Look at the files', summary: 'Found notes.txt.' });
  });
});
