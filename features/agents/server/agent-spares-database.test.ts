/**
 * A pre-warmed agent with transcripts in the database (TETHER_TRANSCRIPTS=database), real SDK and
 * CLI in the sandbox against the scripted Messages API: the spare's transcript is mirrored under
 * the conversation that adopted it (a spare's own id names no conversation), so the conversation resumes
 * from the store on a disk that lost it, and its history reads from there.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastUserText, type MessagesApi, type MessagesRequest, type Reply } from '@/lib/messages-api/server';
import { eventsUntilEnd, startAgentTestEnv } from '@/tests/fixtures/agent-env';
import type { RunEvent } from '../../runs/types';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-spares-db-'));
const visitorId = randomUUID();
let api: MessagesApi;
let runs: typeof import('../../runs/server/run-manager');
let pool: typeof import('./agent-pool');
let workspace: import('@/features/workspaces/server').Workspace;

/** Answers with what the model was sent: the follow-up proves the earlier turn came along. */
function script(request: MessagesRequest): Reply {
  if (!lastUserText(request).includes('Which word')) return { blocks: [{ type: 'text', text: 'Noted.' }] };
  return { blocks: [{ type: 'text', text: JSON.stringify(request.messages).includes('remember the word PELICAN') ? 'The word was PELICAN.' : 'I was never told a word.' }] };
}

beforeAll(async () => {
  api = await startAgentTestEnv({ responder: script, dataDir, env: { TETHER_TRANSCRIPTS: 'database', TETHER_PREWARMED_AGENTS: '1' } });
  workspace = (await import('@/features/workspaces/server')).createWorkspace({ name: 'mirrored', config: { modes: ['plan'] } });
  runs = await import('../../runs/server/run-manager');
  pool = await import('./agent-pool');
});

afterAll(async () => {
  pool.closeAllProcesses();
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

async function send(conversationId: string, text: string): Promise<RunEvent[]> {
  const info = await runs.startRun({ visitorId, workspace, conversationId, text, model: 'claude-sonnet-4-5', mode: 'plan' });
  const events = await eventsUntilEnd(runs.requireRun({ runId: info.id, visitorId, workspace: workspace.name }));
  expect(events.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
  return events;
}

const textOf = (events: RunEvent[]) => events.flatMap((event) => (event.type === 'text' ? [event.text] : [])).join('');

describe('a pre-warmed agent with transcripts in the database', () => {
  it('mirrors the transcript under the adopting conversation, which resumes from the store and reads its history there', async () => {
    await send(randomUUID(), 'hello'); // leaves the workspace a spare
    const { spareCounts } = await import('./agent-spares');
    await expect.poll(() => spareCounts()[workspace.name], { timeout: 20_000, interval: 100 }).toBe(1);
    const spare = pool.idleSpares()[0]!;

    const conversationId = randomUUID();
    await send(conversationId, 'Please remember the word PELICAN');
    expect(spare.conversationId).toBe(conversationId);
    const { sdkSessionId } = (await (await import('@/features/conversations/server')).getConversation({ id: conversationId, visitorId, workspace: workspace.name }))!;
    const key = { projectKey: '-workspace', sessionId: sdkSessionId! };
    const { databaseTranscriptStore } = await import('./transcript-store');
    expect(JSON.stringify(await databaseTranscriptStore(conversationId).load(key))).toContain('remember the word PELICAN');

    // No warm process and nothing on this disk: the follow-up resumes from the store alone.
    pool.closeAllProcesses();
    await spare.exited(10_000);
    rmSync(path.join(dataDir, 'agents', conversationId), { recursive: true, force: true });
    expect(textOf(await send(conversationId, 'Which word did I ask you to remember?'))).toBe('The word was PELICAN.');
    rmSync(path.join(dataDir, 'agents', conversationId), { recursive: true, force: true });
    const view = await (await import('../../runs/server/conversation-view')).conversationView({ visitorId, workspace, conversationId });
    expect(view.items.filter((item) => item.kind === 'user').map((item) => ('text' in item ? item.text : ''))).toEqual(['Please remember the word PELICAN', 'Which word did I ask you to remember?']);
  });
});
