/**
 * Ask mode on the real Agent SDK and its CLI child, against a scripted fake Messages API: each
 * edit, command or write waits for the visitor, who answers through the real route handler.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastToolResults, type MessagesRequest, type Reply } from '@/lib/messages-api/server';
import { eventsUntilEnd, startAgentTestEnv } from '@/tests/fixtures/agent-env';
import type { MessagesApi } from '@/lib/messages-api/server';
import type { RunEvent } from '../../runs/types';
import type { Run } from '../../runs/server/run';

const APPROVAL_TIMEOUT_SECONDS = 4;
const ORIGINAL = 'export const greeting = "Hello";\n';
const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-approvals-'));
let api: MessagesApi;
let runs: typeof import('../../runs/server/run-manager');
let workspace: import('@/features/workspaces/server').Workspace;
let agentDir: string;
let POST: typeof import('@/app/api/runs/[id]/approvals/[approvalId]/route').POST;
let owner: { visitorId: string; value: string };
let stranger: { visitorId: string; value: string };

/** What the scripted model does, by the marker in the conversation and how many tool results it has seen. */
function script(request: MessagesRequest): Reply {
  const conversation = JSON.stringify(request.messages);
  const step = (conversation.match(/"tool_result"/g) ?? []).length;
  const said = (text: string): Reply => ({ blocks: [{ type: 'text', text }] });
  const call = (name: string, input: Record<string, unknown>): Reply => ({
    blocks: [
      { type: 'text', text: `Using ${name}.` },
      { type: 'tool_use', name, input },
    ],
  });
  const file = (name: string) => path.join(agentDir, name);
  const greetingFile = /change the greeting in (\w+\.ts)/.exec(conversation)?.[1];
  if (greetingFile) {
    if (step === 0) return call('Read', { file_path: file(greetingFile) });
    if (step === 1) return call('Edit', { file_path: file(greetingFile), old_string: '"Hello"', new_string: '"Howdy"' });
    return said(`Edit result: ${lastToolResults(request)[0]!.content}`);
  }
  if (conversation.includes('list the files')) {
    if (step === 0) return call('Bash', { command: 'ls -la', description: 'List files' });
    return said(`Listing done: ${lastToolResults(request)[0]!.content}`);
  }
  if (conversation.includes('write two files')) {
    if (step === 0) return call('Write', { file_path: file('one.txt'), content: 'one\n' });
    if (step === 1) return call('Write', { file_path: file('two.txt'), content: 'two\n' });
    return said('Both written.');
  }
  return said('Hello.');
}

beforeAll(async () => {
  api = await startAgentTestEnv({ responder: script, dataDir, env: { TETHER_APPROVAL_TIMEOUT_SECONDS: String(APPROVAL_TIMEOUT_SECONDS) } });
  const workspaces = await import('@/features/workspaces/server');
  // A file per test: the CLI checks an Edit against the file before asking, so each starts from the original.
  const files = Object.fromEntries(['greet', 'deny', 'expire', 'twice', 'stop'].map((name) => [`${name}.ts`, ORIGINAL]));
  workspace = workspaces.createWorkspace({ name: 'alpha', files, config: { allowBash: true } });
  agentDir = (await import('../../sandbox/server/agent-sandbox')).agentWorkspaceDir(workspace);
  runs = await import('../../runs/server/run-manager');
  ({ POST } = await import('@/app/api/runs/[id]/approvals/[approvalId]/route'));
  const { issueVisitorCookie } = await import('@/features/visitors/server');
  owner = await issueVisitorCookie({ secure: false, address: '127.0.0.1' });
  stranger = await issueVisitorCookie({ secure: false, address: '127.0.0.1' });
});

afterAll(async () => {
  await runs.handOverAllRuns(2000);
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

/** POST /api/runs/:runId/approvals/:approvalId as a browser of `visitor` sends it. */
function decide(runId: string, approvalId: string, body: unknown, visitor = owner) {
  const req = new NextRequest(`http://127.0.0.1/api/runs/${runId}/approvals/${approvalId}`, {
    method: 'POST',
    headers: { host: 'alpha.localhost:3000', cookie: `tether_visitor=${visitor.value}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return POST(req, { params: Promise.resolve({ id: runId, approvalId }) });
}

/** Starts a run in ask mode; `onApproval` answers each approval event as it arrives. */
async function askRun(text: string, onApproval: (approval: Extract<RunEvent, { type: 'approval' }>, run: Run) => void | Promise<void>): Promise<{ run: Run; events: RunEvent[] }> {
  const info = await runs.startRun({ visitorId: owner.visitorId, workspace, conversationId: randomUUID(), text, model: 'claude-sonnet-4-5', mode: 'ask' });
  const run = runs.requireRun({ runId: info.id, visitorId: owner.visitorId, workspace: workspace.name });
  const events = await eventsUntilEnd(run, (event) => {
    if (event.type === 'approval') void onApproval(event, run);
  });
  return { run, events };
}

const contentOf = (name: string) => readFileSync(path.join(workspace.filesDir, name), 'utf8');
const ofType = <T extends RunEvent['type']>(events: RunEvent[], type: T) => events.filter((event): event is Extract<RunEvent, { type: T }> => event.type === type);
const textOf = (events: RunEvent[]) =>
  ofType(events, 'text')
    .map((event) => event.text)
    .join('');

describe('ask mode, on the real CLI', () => {
  it('reads without asking; an Edit waits with its diff, and Allow applies it and the answer goes on', async () => {
    let whileWaiting: { file: string; waiting: boolean } | undefined;
    const { events } = await askRun('please change the greeting in greet.ts', async (approval, run) => {
      whileWaiting = { file: contentOf('greet.ts'), waiting: run.approvals.waiting };
      const response = await decide(run.id, approval.approvalId, { decision: 'allow', device: 'device-one' });
      expect(response.status).toBe(200);
    });
    const approvals = ofType(events, 'approval');
    expect(approvals).toHaveLength(1); // the Read before it asked nobody
    const [approval] = approvals;
    expect(approval).toMatchObject({ tool: 'Edit', summary: 'edit greet.ts' });
    expect(approval!.detail).toContain('-export const greeting = "Hello";');
    expect(approval!.detail).toContain('+export const greeting = "Howdy";');
    expect(Date.parse(approval!.expiresAt) - Date.now()).toBeLessThanOrEqual(APPROVAL_TIMEOUT_SECONDS * 1000);
    // The card belongs to the Edit's tool card, which came first.
    const editCard = ofType(events, 'tool').find((event) => event.name === 'Edit')!;
    expect(approval!.toolId).toBe(editCard.toolId);
    expect(whileWaiting).toEqual({ file: ORIGINAL, waiting: true });
    expect(ofType(events, 'approval_decided')).toEqual([
      expect.objectContaining({ approvalId: approval!.approvalId, decision: 'allow', scope: 'once', by: 'visitor', device: 'device-one', note: null }),
    ]);
    expect(contentOf('greet.ts')).toBe('export const greeting = "Howdy";\n');
    expect(ofType(events, 'tool_result').find((event) => event.toolId === editCard.toolId)).toMatchObject({ status: 'ok' });
    expect(textOf(events)).toContain('Edit result:');
    expect(events.at(-1)).toMatchObject({ type: 'end', status: 'completed', mode: 'ask' });
  });

  it('Deny with a note leaves the file alone, and the denial reaches the model with the note', async () => {
    const { events } = await askRun('now change the greeting in deny.ts', async (approval, run) => {
      await decide(run.id, approval.approvalId, { decision: 'deny', note: 'Keep it formal, use "Good day"' });
    });
    expect(contentOf('deny.ts')).toBe(ORIGINAL);
    expect(ofType(events, 'approval_decided')[0]).toMatchObject({ decision: 'deny', note: 'Keep it formal, use "Good day"', by: 'visitor' });
    const editCard = ofType(events, 'tool').find((event) => event.name === 'Edit')!;
    expect(ofType(events, 'tool_result').find((event) => event.toolId === editCard.toolId)).toMatchObject({ status: 'denied' });
    const toModel = textOf(events);
    expect(toModel).toContain('The user denied this action.');
    expect(toModel).toContain('Keep it formal, use "Good day"');
    expect(events.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
  });

  it('an approval nobody answers expires as a denial "No answer in time"', async () => {
    const { events } = await askRun('change the greeting in expire.ts, nobody is there', () => {});
    expect(ofType(events, 'approval_decided')[0]).toMatchObject({ decision: 'deny', by: 'expiry', note: 'No answer in time' });
    expect(contentOf('expire.ts')).toBe(ORIGINAL);
    expect(textOf(events)).toContain('No answer in time');
    expect(events.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
  }, 30_000);

  it('the first decision wins: a second one is 409; another visitor and an unknown approval get 404', async () => {
    const answers: Array<{ status: number; body: unknown }> = [];
    const record = async (response: Response) => answers.push({ status: response.status, body: await response.json() });
    await askRun('change the greeting in twice.ts', async (approval, run) => {
      await record(await decide(run.id, approval.approvalId, { decision: 'deny' }, stranger));
      await record(await decide(run.id, randomUUID(), { decision: 'allow' }));
      await record(await decide(run.id, approval.approvalId, { decision: 'deny', note: 'no' }));
      await record(await decide(run.id, approval.approvalId, { decision: 'allow' }));
      await record(await decide(run.id, approval.approvalId, { decision: 'maybe' }));
    });
    expect(answers).toEqual([
      { status: 404, body: { error: { code: 'not_found:run', message: expect.any(String) } } },
      { status: 404, body: { error: { code: 'not_found:approval', message: expect.any(String) } } },
      { status: 200, body: expect.objectContaining({ decision: 'deny' }) },
      { status: 409, body: { error: { code: 'conflict:approval_decided', message: 'This approval was already denied.' } } },
      { status: 400, body: { error: { code: 'bad_request:invalid_body', message: expect.stringContaining('decision') } } },
    ]);
  });

  it('a Bash command waits too, even one the CLI deems read-only', async () => {
    const { events } = await askRun('list the files', async (approval, run) => {
      await decide(run.id, approval.approvalId, { decision: 'allow' });
    });
    expect(ofType(events, 'approval')).toEqual([expect.objectContaining({ tool: 'Bash', summary: 'run ls -la', detail: '# List files\nls -la' })]);
    expect(textOf(events)).toContain('greet.ts');
  });

  it('"Allow for the rest of this run" lets the same tool through without asking again', async () => {
    const { events } = await askRun('write two files', async (approval, run) => {
      await decide(run.id, approval.approvalId, { decision: 'allow', scope: 'run' });
    });
    expect(ofType(events, 'approval')).toEqual([expect.objectContaining({ tool: 'Write', summary: 'create one.txt' })]);
    expect(ofType(events, 'approval_decided')[0]).toMatchObject({ decision: 'allow', scope: 'run' });
    expect(readFileSync(path.join(workspace.filesDir, 'two.txt'), 'utf8')).toBe('two\n');
    expect(textOf(events)).toContain('Both written.');
  });

  it('Stop while it waits ends the run at once', async () => {
    const { events } = await askRun('change the greeting in stop.ts, then stop', async (_, run) => {
      await runs.stopRun(run);
    });
    // Settled by the Stop, not left to expire.
    expect(ofType(events, 'approval_decided')[0]).toMatchObject({ by: 'stop', decision: 'deny' });
    expect(events.at(-1)).toMatchObject({ type: 'end', status: 'stopped' });
  });
});
