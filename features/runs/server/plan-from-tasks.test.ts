/**
 * The agent's plan from the CLI's task tools (TaskCreate, TaskUpdate), the way this CLI offers the
 * agent to plan, on the real Agent SDK and CLI against the scripted Messages API: live, across the
 * conversation's runs, and rebuilt by the history.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsUntilEnd, startAgentTestEnv } from '@/tests/fixtures/agent-env';
import { lastUserText, type MessagesApi, type MessagesRequest, type Reply, type ReplyBlock } from '@/lib/messages-api/server';
import { foldRunEvent, type ChatItem } from '../../timeline/chat-items';
import type { RunEvent } from '../types';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-task-plan-'));
let api: MessagesApi;
let runs: typeof import('./run-manager');
let views: typeof import('./conversation-view');
let workspace: import('@/features/workspaces/server').Workspace;
const visitorId = randomUUID();

const create = (subject: string): ReplyBlock => ({ type: 'tool_use', name: 'TaskCreate', input: { subject, description: `${subject}, for the trip`, activeForm: `Doing: ${subject}` } });
const update = (taskId: string | undefined, fields: Record<string, string>): ReplyBlock => ({ type: 'tool_use', name: 'TaskUpdate', input: { taskId: taskId ?? 'none', ...fields } });

/** The task ids the CLI gave, by subject, from its TaskCreate results ("Task #2 created successfully: Go"). */
function taskIds(request: MessagesRequest): Map<string, string> {
  const said = JSON.stringify(request.messages).replaceAll('\\n', '\n');
  return new Map([...said.matchAll(/Task #(\w+) created successfully: ([^"\n]+)/g)].map(([, id, subject]) => [subject!, id!]));
}

/** Each of a prompt's answers, by how many the model gave since the prompt. */
const TURNS: Record<string, Array<(ids: Map<string, string>) => ReplyBlock[]>> = {
  'plan the trip': [
    () => [create('Pack')],
    () => [create('Book the train')],
    () => [create('Go')],
    (ids) => [update(ids.get('Pack'), { status: 'in_progress' })],
    (ids) => [update(ids.get('Pack'), { status: 'completed' }), update(ids.get('Book the train'), { status: 'in_progress', subject: 'Book the night train' })],
    // "#3" is not an id of the CLI's ("Task not found"): the plan stays as the CLI holds it.
    (ids) => [update(`#${ids.get('Go')}`, { status: 'completed' }), { type: 'tool_use', name: 'TaskList', input: {} }],
  ],
  // The next run goes on with the same task list: its ids count on, and it changes the first run's tasks.
  'one more task': [() => [create('Unpack')], (ids) => [update(ids.get('Go'), { status: 'deleted' })]],
  'and a last one': [() => [create('Rest')]],
};

function script(request: MessagesRequest): Reply {
  const at = request.messages.findLastIndex((message) => message.role === 'user' && lastUserText({ ...request, messages: [message] }).trim() !== '');
  const prompt = lastUserText({ ...request, messages: request.messages.slice(at, at + 1) });
  const answered = request.messages.slice(at).filter((message) => message.role === 'assistant').length;
  const turn = TURNS[prompt]?.[answered];
  return { blocks: turn ? turn(taskIds(request)) : [{ type: 'text', text: 'Planned.' }] };
}

beforeAll(async () => {
  api = await startAgentTestEnv({ responder: script, dataDir });
  workspace = (await import('@/features/workspaces/server')).createWorkspace({ name: 'task-plan' });
  runs = await import('./run-manager');
  views = await import('./conversation-view');
});

afterAll(async () => {
  (await import('../../agents/server/agent-pool')).closeAllProcesses();
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

async function send(text: string, conversationId: string): Promise<RunEvent[]> {
  const info = await runs.startRun({ visitorId, workspace, conversationId, text, model: 'claude-sonnet-4-5', mode: 'build' });
  const events = await eventsUntilEnd(runs.requireRun({ runId: info.id, visitorId, workspace: workspace.name }));
  expect(events.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
  return events;
}

const plansIn = (items: ChatItem[]) => items.filter((item) => item.kind === 'plan');
const history = async (conversationId: string) => plansIn((await views.conversationView({ visitorId, workspace, conversationId })).items);
const step = (content: string, status: string) => ({ content, status, activeForm: `Doing: ${content === 'Book the night train' ? 'Book the train' : content}` });

describe('the plan from the CLI task tools', () => {
  it('the CLI offers the agent its task tools, not TodoWrite, with the inputs the plan reads', async () => {
    await send('hello', randomUUID());
    const tools = api.requests.findLast((request) => (request.tools?.length ?? 0) > 0)!.tools as Array<{ name: string; input_schema: { properties: Record<string, unknown>; required?: string[] } }>;
    const names = tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['TaskCreate', 'TaskUpdate', 'TaskList', 'TaskGet']));
    expect(names).not.toContain('TodoWrite');
    const schema = (name: string) => tools.find((tool) => tool.name === name)!.input_schema;
    expect(schema('TaskCreate').required).toEqual(['subject', 'description']);
    expect(Object.keys(schema('TaskCreate').properties)).toEqual(expect.arrayContaining(['subject', 'description', 'activeForm']));
    expect(schema('TaskUpdate').required).toEqual(['taskId']);
    expect(Object.keys(schema('TaskUpdate').properties)).toEqual(expect.arrayContaining(['taskId', 'status', 'subject', 'activeForm']));
  });

  it('TaskCreate ×3 then TaskUpdate give the latest plan live and in the reloaded history, and the next run goes on from it', async () => {
    const conversationId = randomUUID();
    const first = await send('plan the trip', conversationId);
    // Task calls are the plan, not tool cards.
    expect(first.filter((event) => event.type === 'tool')).toEqual([]);
    const plans = first.filter((event) => event.type === 'plan');
    // One per change the CLI made: three creates, four updates; not the update of an id it does not know.
    const states = plans.map((event) => event.steps.map((s) => `${s.content}: ${s.status}`));
    expect(states.slice(0, 4)).toEqual([
      ['Pack: pending'],
      ['Pack: pending', 'Book the train: pending'],
      ['Pack: pending', 'Book the train: pending', 'Go: pending'],
      ['Pack: in_progress', 'Book the train: pending', 'Go: pending'],
    ]);
    // The answer's two updates run side by side: either result may come first.
    expect([
      ['Pack: completed', 'Book the train: pending', 'Go: pending'],
      ['Pack: in_progress', 'Book the night train: in_progress', 'Go: pending'],
    ]).toContainEqual(states[4]);
    expect(states.slice(5)).toEqual([['Pack: completed', 'Book the night train: in_progress', 'Go: pending']]);
    const latest = [step('Pack', 'completed'), step('Book the night train', 'in_progress'), step('Go', 'pending')];
    expect(plans.at(-1)!.steps).toEqual(latest);
    // Calls with nothing between are one checklist: a card for each answer that said something else first.
    expect(plansIn(first.reduce<ChatItem[]>(foldRunEvent, []))).toEqual([{ kind: 'plan', id: plans[0]!.toolId, steps: latest }]);
    expect(await history(conversationId)).toEqual([{ kind: 'plan', id: plans[0]!.toolId, steps: latest }]);

    // Cold: the next run's agent process starts again, and its plan still goes on from the first run's.
    (await import('../../agents/server/agent-pool')).closeAllProcesses();
    const second = await send('one more task', conversationId);
    const more = second.filter((event) => event.type === 'plan');
    const next = [step('Pack', 'completed'), step('Book the night train', 'in_progress'), step('Unpack', 'pending')];
    expect(more.map((event) => event.steps.length)).toEqual([4, 3]);
    expect(more.at(-1)!.steps).toEqual(next);
    // Warm: the process kept its session's plan from the run before, and goes on from it.
    const third = await send('and a last one', conversationId);
    expect(third.filter((event) => event.type === 'plan').map((event) => event.steps.map((s) => s.content))).toEqual([['Pack', 'Book the night train', 'Unpack', 'Rest']]);
    const live = plansIn([...first, ...second, ...third].reduce<ChatItem[]>(foldRunEvent, []));
    expect(live.at(-1)).toMatchObject({ steps: [...next, step('Rest', 'pending')] });
    expect(await history(conversationId)).toEqual(live);
  });
});
