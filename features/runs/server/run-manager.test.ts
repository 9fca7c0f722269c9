/**
 * The real Agent SDK and its CLI child process against a scripted fake Messages API: the API is
 * the only thing replaced. Runs go through the RunManager exactly as the route handlers call it.
 */
import { existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsUntilEnd, startAgentTestEnv } from '@/tests/fixtures/agent-env';
import { lastToolResults, lastUserText, type MessagesApi, type Reply } from '@/lib/messages-api/server';
import type { RunEvent, RunInfo } from '../types';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-runs-'));
let api: MessagesApi;
let runs: typeof import('./run-manager');
let conversations: typeof import('@/features/conversations/server');
let queries: typeof import('./queries');
let history: typeof import('../../timeline/server/history');
let workspace: import('@/features/workspaces/server').Workspace;
let secretPath: string;

const visitorId = randomUUID();

function script(request: Parameters<typeof lastUserText>[0]): Reply {
  const results = lastToolResults(request);
  if (results.length > 0) return { blocks: [{ type: 'text', text: `Tool said: ${results[0]!.content.split('\n')[0]}` }] };
  const prompt = lastUserText(request);
  const read = (file_path: string): Reply => ({
    blocks: [
      { type: 'text', text: 'Reading.' },
      { type: 'tool_use', name: 'Read', input: { file_path } },
    ],
  });
  if (prompt.includes('passwd')) return read('/etc/passwd');
  if (prompt.includes('sibling')) return read(secretPath);
  if (prompt.includes('symlink')) return read('escape.txt');
  if (prompt.includes('inside')) return read('notes.txt');
  if (prompt.includes('slow')) return { blocks: [{ type: 'text_chunks', chunks: Array.from({ length: 300 }, (_, i) => `w${i} `) }], delayMs: 20 };
  if (prompt.includes('overloaded')) return { error: { status: 500, type: 'api_error', message: 'upstream exploded' } };
  if (prompt.includes('bad key')) return { error: { status: 401, type: 'authentication_error', message: 'invalid x-api-key' } };
  return { blocks: [{ type: 'text_chunks', chunks: ['Hello', ' there', ', friend.'] }] };
}

beforeAll(async () => {
  api = await startAgentTestEnv({ responder: script, dataDir });
  const workspaces = await import('@/features/workspaces/server');
  const beta = workspaces.createWorkspace({ name: 'beta', files: { 'secret.txt': 'beta secret' } });
  secretPath = path.join(beta.filesDir, 'secret.txt');
  workspace = workspaces.createWorkspace({ name: 'alpha', files: { 'notes.txt': 'alpha notes line one\nline two\n' } });
  symlinkSync(secretPath, path.join(workspace.filesDir, 'escape.txt'));
  runs = await import('./run-manager');
  conversations = await import('@/features/conversations/server');
  queries = await import('./queries');
  history = await import('../../timeline/server/history');
});

afterAll(async () => {
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

function start(text: string, conversationId: string = randomUUID(), visitor: string = visitorId) {
  return runs.startRun({ visitorId: visitor, workspace, conversationId, text, model: 'claude-sonnet-4-5', mode: 'build' });
}

function events(info: RunInfo): Promise<RunEvent[]> {
  const run = runs.requireRun({ runId: info.id, visitorId, workspace: workspace.name });
  return eventsUntilEnd(run);
}

const textOf = (list: RunEvent[]) => list.flatMap((event) => (event.type === 'text' ? [event.text] : [])).join('');
const endOf = (list: RunEvent[]) => list.at(-1) as Extract<RunEvent, { type: 'end' }>;

describe('runs on the real Agent SDK', () => {
  it('streams text deltas, numbered in order, and records the run', async () => {
    const info = await start('hello');
    const list = await events(info);
    expect(list.map((event) => event.seq)).toEqual(list.map((_, index) => index + 1));
    expect(list[0]).toMatchObject({ type: 'start', prompt: 'hello', model: 'claude-sonnet-4-5', mode: 'build' });
    expect(list.filter((event) => event.type === 'text').length).toBe(3);
    expect(textOf(list)).toBe('Hello there, friend.');
    expect(endOf(list)).toMatchObject({ type: 'end', status: 'completed', model: 'claude-sonnet-4-5', mode: 'build' });
    expect(endOf(list).costUsd).toBeGreaterThan(0);
    expect(endOf(list).outputTokens).toBeGreaterThan(0);
    const [record] = await queries.listRuns(info.conversationId);
    expect(record).toMatchObject({ id: info.id, status: 'completed', model: 'claude-sonnet-4-5', mode: 'build' });
  });

  it('resumes the mapped SDK session: the next request carries the first turn', async () => {
    const first = await start('hello, this is turn one');
    await events(first);
    const mapped = await conversations.getConversation({ id: first.conversationId, visitorId, workspace: 'alpha' });
    expect(mapped?.sdkSessionId).toMatch(/^[0-9a-f-]{36}$/);

    await events(await start('hello again', first.conversationId));
    const lastRequest = api.requests.at(-1)!;
    expect(JSON.stringify(lastRequest.messages)).toContain('hello, this is turn one');
    const after = await conversations.getConversation({ id: first.conversationId, visitorId, workspace: 'alpha' });
    expect(after?.sdkSessionId).toBe(mapped?.sdkSessionId);

    const items = await history.loadHistory({ conversationId: first.conversationId, sdkSessionId: after!.sdkSessionId!, workspaceDir: '/workspace' });
    expect(items.map((item) => [item.kind, 'text' in item ? item.text : ''])).toEqual([
      ['user', 'hello, this is turn one'],
      ['assistant', 'Hello there, friend.'],
      ['user', 'hello again'],
      ['assistant', 'Hello there, friend.'],
    ]);
  });

  it('recovers from a stale session: clears it, starts fresh once, and says so', async () => {
    const conversationId = randomUUID();
    await events(await start('hello', conversationId));
    const stale = randomUUID();
    await conversations.setSdkSession(conversationId, stale);
    // A warm process would simply carry on: the transcript matters when a cold one resumes.
    (await import('../../agents/server/agent-pool')).closeAllProcesses();

    const list = await events(await start('hello after expiry', conversationId));
    expect(list.find((event) => event.type === 'notice')).toMatchObject({ message: expect.stringContaining('expired') });
    expect(endOf(list).status).toBe('completed');
    expect(textOf(list)).toBe('Hello there, friend.');
    const mapped = await conversations.getConversation({ id: conversationId, visitorId, workspace: 'alpha' });
    expect(mapped?.sdkSessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(mapped?.sdkSessionId).not.toBe(stale);
  });

  it.each([
    ['/etc/passwd', 'read /etc/passwd'],
    ["a sibling workspace's file", 'read the sibling secret'],
    ['a symlink that leads out of the workspace', 'read the symlink'],
  ])('denies reading %s, and the model is told why', async (_what, prompt) => {
    const list = await events(await start(prompt));
    const result = list.find((event) => event.type === 'tool_result');
    expect(result).toMatchObject({ type: 'tool_result', status: 'denied', summary: expect.stringContaining('Blocked by Tether:') });
    expect(textOf(list)).toContain('Blocked by Tether:');
    expect(JSON.stringify(api.requests.at(-1))).not.toContain('beta secret');
    expect(endOf(list).status).toBe('completed');
  });

  it('allows reading a file inside the workspace', async () => {
    const list = await events(await start('read inside'));
    expect(list.find((event) => event.type === 'tool')).toMatchObject({ name: 'Read', target: 'notes.txt' });
    expect(list.find((event) => event.type === 'tool_result')).toMatchObject({ status: 'ok', summary: expect.stringContaining('alpha notes line one') });
  });

  it.each([
    ['a 5xx', 'overloaded', 'model:unavailable', 'upstream exploded'],
    ['a bad key', 'bad key', 'model:auth', 'ANTHROPIC_API_KEY'],
  ])('shows %s from the model API as a message in the conversation', async (_what, prompt, code, text) => {
    const info = await start(prompt);
    const list = await events(info);
    expect(list.find((event) => event.type === 'error')).toMatchObject({ code, message: expect.stringContaining(text) });
    expect(endOf(list).status).toBe('failed');
    const [record] = await queries.listRuns(info.conversationId);
    expect(record).toMatchObject({ status: 'failed', error: expect.stringContaining(text) });
  });

  it('answers a second send with a conflict while a run is active, and Stop interrupts it', async () => {
    const info = await start('slow please');
    const pending = events(info);
    const run = runs.requireRun({ runId: info.id, visitorId, workspace: 'alpha' });
    await new Promise<void>((resolve) => run.subscribe(0, (event) => event.type === 'text' && resolve()));
    await expect(start('another', info.conversationId)).rejects.toMatchObject({ code: 'conflict:run_active', status: 409 });

    await runs.stopRun(run);
    const list = await pending;
    expect(endOf(list).status).toBe('stopped');
    const partial = textOf(list);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.split(' ').filter(Boolean).length).toBeLessThan(300);
    const [record] = await queries.listRuns(info.conversationId);
    expect(record?.status).toBe('stopped');
  });

  it("keeps visitors apart: someone else's conversation or run is not found", async () => {
    const info = await start('hello');
    await events(info);
    const stranger = randomUUID();
    await expect(start('hello', info.conversationId, stranger)).rejects.toMatchObject({ code: 'not_found:conversation', status: 404 });
    expect(() => runs.requireRun({ runId: info.id, visitorId: stranger, workspace: 'alpha' })).toThrow(expect.objectContaining({ code: 'not_found:run' }));
    expect(() => runs.requireRun({ runId: info.id, visitorId, workspace: 'beta' })).toThrow(expect.objectContaining({ code: 'not_found:run' }));
  });

  it('rejects a model that is not configured', async () => {
    await expect(runs.startRun({ visitorId, workspace, conversationId: randomUUID(), text: 'hi', model: 'gpt-4', mode: 'plan' })).rejects.toMatchObject({
      code: 'bad_request:unknown_model',
      status: 400,
    });
  });
});

describe('the agent environment', () => {
  it("keeps each conversation's transcript in its own folder in the data root, outside every workspace", async () => {
    const info = await start('hello');
    await events(info);
    const { sdkSessionId } = (await conversations.getConversation({ id: info.conversationId, visitorId, workspace: 'alpha' }))!;
    // Inside the sandbox the workspace is always /workspace, so the CLI's project key is too.
    const transcript = path.join(dataDir, 'agents', info.conversationId, '.claude', 'projects', '-workspace', `${sdkSessionId}.jsonl`);
    expect(existsSync(transcript)).toBe(true);
    expect(path.relative(workspace.filesDir, transcript).startsWith('..')).toBe(true);
  });
});
