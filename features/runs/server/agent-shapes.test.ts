/**
 * What a model that thinks, plans, delegates or fails mid-answer looks like in a run's events and
 * in its history, on the real Agent SDK and CLI against the scripted Messages API.
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

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-shapes-'));
let api: MessagesApi;
let runs: typeof import('./run-manager');
let views: typeof import('./conversation-view');
let workspace: import('@/features/workspaces/server').Workspace;
const visitorId = randomUUID();

const THOUGHT = 'The visitor wants a haiku. Five, seven, five syllables; keep it about the sea.';

const todo = (content: string, status: string) => ({ content, status, activeForm: `Doing: ${content}` });
const PLANS = [
  [todo('Pack', 'in_progress'), todo('Book the train', 'pending'), todo('Go', 'pending')],
  [todo('Pack', 'completed'), todo('Book the train', 'in_progress'), todo('Go', 'pending')],
];

/** The visitor's latest words, past the tool results that followed them; and what came since. */
function promptAndSince(request: MessagesRequest): { prompt: string; since: string } {
  const at = request.messages.findLastIndex((message) => message.role === 'user' && lastUserText({ ...request, messages: [message] }).trim() !== '');
  return { prompt: lastUserText({ ...request, messages: request.messages.slice(at, at + 1) }), since: JSON.stringify(request.messages.slice(at)) };
}

function script(request: MessagesRequest): Reply {
  const { prompt, since } = promptAndSince(request);
  const asked = JSON.stringify(request.messages);
  if (prompt.includes('plan the trip')) {
    const planned = since.split('"name":"TodoWrite"').length - 1;
    const plan = PLANS[planned];
    return plan ? { blocks: [{ type: 'tool_use', name: 'TodoWrite', input: { todos: plan } }] } : { blocks: [{ type: 'text', text: 'Trip planned.' }] };
  }
  if (prompt.includes('think'))
    return {
      blocks: [
        { type: 'thinking', text: THOUGHT },
        { type: 'text', text: 'Waves fold into foam.' },
      ],
    };
  if (prompt.includes('secret thought')) return { blocks: [{ type: 'redacted_thinking' }, { type: 'text', text: 'Done thinking.' }] };
  if (prompt.includes('read the notes')) {
    return lastToolResults(request).length > 0 ? { blocks: [{ type: 'text', text: 'The notes say `hello`.' }] } : { blocks: [{ type: 'tool_use', name: 'Read', input: { file_path: 'notes.txt' } }] };
  }
  if (prompt.endsWith('and after?')) return { blocks: [{ type: 'text', text: 'After the summary.' }] };
  if (asked.includes('overload'))
    return {
      blocks: [
        { type: 'text', text: 'Here is the first half of' },
        { type: 'stream_error', errorType: 'overloaded_error', message: 'Overloaded' },
      ],
    };
  return { blocks: [{ type: 'text', text: `You said: ${prompt}` }] };
}

beforeAll(async () => {
  api = await startAgentTestEnv({ responder: script, dataDir });
  workspace = (await import('@/features/workspaces/server')).createWorkspace({ name: 'shapes', files: { 'notes.txt': 'hello from the notes\n' } });
  runs = await import('./run-manager');
  views = await import('./conversation-view');
});

afterAll(async () => {
  (await import('../../agents/server/agent-pool')).closeAllProcesses();
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

async function send(text: string, conversationId = randomUUID()): Promise<{ conversationId: string; events: RunEvent[] }> {
  const info = await runs.startRun({ visitorId, workspace, conversationId, text, model: 'claude-sonnet-4-5', mode: 'build' });
  const events = await eventsUntilEnd(runs.requireRun({ runId: info.id, visitorId, workspace: workspace.name }));
  return { conversationId, events };
}

const history = async (conversationId: string) => (await views.conversationView({ visitorId, workspace, conversationId })).items;
const live = (events: RunEvent[]) => events.reduce<ChatItem[]>(foldRunEvent, []);
const endOf = (events: RunEvent[]) => events.at(-1) as Extract<RunEvent, { type: 'end' }>;

describe('extended thinking', () => {
  it('streams the thinking deltas as their own item, timed, before the answer; the history keeps it', async () => {
    const { conversationId, events } = await send('think of a haiku');
    const thinking = events.filter((event) => event.type === 'thinking');
    expect(thinking.length).toBeGreaterThan(2); // streamed, not in one piece
    expect(thinking.map((event) => event.text).join('')).toBe(THOUGHT);
    const ended = events.find((event) => event.type === 'thinking_end');
    expect(ended).toMatchObject({ redacted: false });
    expect((ended as { durationMs: number }).durationMs).toBeGreaterThanOrEqual(0);
    expect(events.findIndex((event) => event.type === 'thinking_end')).toBeLessThan(events.findIndex((event) => event.type === 'text'));

    const shown = live(events).filter((item) => item.kind === 'thinking' || item.kind === 'assistant');
    expect(shown).toMatchObject([
      { kind: 'thinking', text: THOUGHT, done: true, redacted: false },
      { kind: 'assistant', text: 'Waves fold into foam.' },
    ]);
    const kept = (await history(conversationId)).filter((item) => item.kind === 'thinking' || item.kind === 'assistant');
    expect(kept).toMatchObject([
      { kind: 'thinking', text: THOUGHT, done: true, redacted: false, durationMs: expect.any(Number) },
      { kind: 'assistant', text: 'Waves fold into foam.' },
    ]);
  });

  it('says redacted thinking is redacted, live and in the history', async () => {
    const { conversationId, events } = await send('a secret thought');
    expect(events.filter((event) => event.type === 'thinking')).toEqual([]);
    expect(events.find((event) => event.type === 'thinking_end')).toMatchObject({ redacted: true });
    expect(live(events).find((item) => item.kind === 'thinking')).toMatchObject({ done: true, redacted: true, text: '' });
    expect((await history(conversationId)).find((item) => item.kind === 'thinking')).toMatchObject({ done: true, redacted: true, text: '' });
  });
});

describe('a model error in the middle of the answer', () => {
  it('ends the run failed, keeps the text that arrived, and says the model is overloaded, live and in the history', async () => {
    const { conversationId, events } = await send('overload me');
    // The CLI resumes a broken-off answer itself (3 times); each attempt broke off again here.
    const texts = events.filter((event) => event.type === 'text');
    expect(texts.map((event) => event.text).join('')).toContain('Here is the first half of');
    expect(endOf(events).status).toBe('failed');
    const failure = { code: 'model:overloaded', message: 'The model is overloaded right now, and its answer broke off. What arrived is kept above. Retry in a moment.' };
    expect(events.find((event) => event.type === 'error')).toMatchObject(failure);

    const kept = await history(conversationId);
    expect(kept.find((item) => item.kind === 'assistant')).toMatchObject({ text: expect.stringMatching(/^(Here is the first half of)+$/) });
    expect(kept.find((item) => item.kind === 'notice')).toMatchObject({ tone: 'error', text: failure.message });
    expect(kept.at(-1)).toMatchObject({ kind: 'run_end', status: 'failed' });
  });
});

describe('the plan', () => {
  it('a TodoWrite sequence (as earlier CLIs planned) gives one plan event per call; with nothing between, one card keeps the newest, live and in the history', async () => {
    const { conversationId, events } = await send('plan the trip');
    expect(endOf(events).status).toBe('completed');
    const plans = events.filter((event) => event.type === 'plan');
    expect(plans.map((event) => event.steps.map((step) => step.status))).toEqual([
      ['in_progress', 'pending', 'pending'],
      ['completed', 'in_progress', 'pending'],
    ]);
    expect(plans[1]!.steps[1]).toEqual({ content: 'Book the train', status: 'in_progress', activeForm: 'Doing: Book the train' });
    // A plan is not a tool card.
    expect(events.filter((event) => event.type === 'tool')).toEqual([]);
    const kept = (await history(conversationId)).filter((item) => item.kind === 'plan');
    expect(kept).toEqual([{ kind: 'plan', id: plans[0]!.toolId, steps: plans[1]!.steps }]);
    expect(live(events).filter((item) => item.kind === 'plan')).toEqual(kept);
  });
});

describe('export', () => {
  it('gives the conversation as Markdown (messages, thinking, plan, tool calls with input and result, costs) and as the raw JSON record', async () => {
    const conversationId = randomUUID();
    await send('think of a haiku', conversationId);
    await send('plan the trip', conversationId);
    await send('read the notes', conversationId);
    const exporting = await import('./conversation-export');
    const markdown = await exporting.conversationExport({ visitorId, workspace, conversationId, format: 'md' });
    expect(markdown.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    expect(markdown.headers.get('content-disposition')).toBe('attachment; filename="tether-think-of-a-haiku.md"');
    const text = await markdown.text();
    expect(text).toMatch(/^# think of a haiku\n/);
    for (const part of ['## You\n\nplan the trip', '## Agent\n\nWaves fold into foam.', '<summary>Thinking</summary>', THOUGHT, '- [ ] Go', '**Plan**', '## Agent\n\nThe notes say `hello`.'])
      expect(text).toContain(part);
    // The tool call, folded, with its whole input and result.
    expect(text).toMatch(/<details><summary>Read notes\.txt · ok<\/summary>\n\nInput:\n\n```json\n\{\n {2}"file_path": "notes\.txt"\n\}\n```\n\nResult:\n\n```\n.*hello from the notes/);
    expect(text.match(/_Claude Sonnet 4\.5 in build mode · [\d.]+ s · [\d,]+ in \/ [\d,]+ out tokens · \$\d\.\d{4}_/g)).toHaveLength(3);

    const raw = await exporting.conversationExport({ visitorId, workspace, conversationId, format: 'json' });
    const record = (await raw.json()) as { conversation: { id: string }; runs: unknown[]; messages: Array<{ type: string }> };
    expect(record.conversation.id).toBe(conversationId);
    expect(record.runs).toHaveLength(3);
    expect(record.messages.filter((message) => message.type === 'user').length).toBeGreaterThanOrEqual(3);

    // Someone else's conversation is not found.
    await expect(exporting.conversationExport({ visitorId: randomUUID(), workspace, conversationId, format: 'md' })).rejects.toMatchObject({ code: 'not_found:conversation' });
  });
});

describe('context', () => {
  it('each run ends with how full the context is, live and in the history; /compact reaches the CLI and shows as a line', async () => {
    const conversationId = randomUUID();
    const { events } = await send('hello there', conversationId);
    const end = endOf(events);
    expect(end.contextWindow).toBe(200_000);
    expect(end.contextTokens).toBeGreaterThan(100);
    const kept = (await history(conversationId)).find((item) => item.kind === 'run_end');
    expect(kept).toMatchObject({ contextTokens: end.contextTokens, contextWindow: 200_000 });

    // A slash command goes to the CLI as it is: /compact summarises the session (one model call).
    const asked = api.requests.length;
    const compacted = await send('/compact', conversationId);
    expect(endOf(compacted.events).status).toBe('completed');
    expect(api.requests.length).toBe(asked + 1);
    expect(compacted.events.filter((event) => event.type === 'notice')).toMatchObject([{ message: 'Earlier messages were summarised to free up context.' }]);
    // The history still has everything from before the compaction, then the line.
    await send('and after?', conversationId);
    const shown = (await history(conversationId)).map((item) => (item.kind === 'user' || item.kind === 'assistant' || item.kind === 'notice' ? `${item.kind}: ${item.text}` : item.kind));
    // (Where the last run's outcome lands among its own entries goes by their timestamps, which a
    // loaded machine can leave level with the run's end: its count is checked, not its place.)
    expect(shown.slice(0, 3)).toEqual(['user: hello there', 'assistant: You said: hello there', 'run_end']);
    expect(shown.filter((line) => line !== 'run_end')).toEqual([
      'user: hello there',
      'assistant: You said: hello there',
      'user: /compact',
      'notice: Earlier messages were summarised to free up context.',
      'user: and after?',
      'assistant: After the summary.',
    ]);
    expect(shown.filter((line) => line === 'run_end')).toHaveLength(3);
    expect(shown.at(-1)).not.toBe('user: and after?');
  });
});
