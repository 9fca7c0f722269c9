/**
 * The agent is told after an Undo: the real Agent SDK and its CLI in the sandbox, against a
 * scripted Messages API whose agent runs Bash commands. After Undo through the real route handler,
 * the next message reaches the model with a note naming the files put back, once: the message after
 * it has none, a Retry of the told message is told again, and the history shows the visitor's words alone.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastToolResults, lastUserText, type ContentBlock, type MessagesApi, type MessagesRequest, type Reply } from '@/lib/messages-api/server';
import { eventsUntilEnd, startAgentTestEnv } from '@/tests/fixtures/agent-env';
import { undoNote } from './undo-note';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-undo-note-'));
let api: MessagesApi;
let runs: typeof import('../../runs/server/run-manager');
let views: typeof import('../../runs/server/conversation-view');
let workspace: import('@/features/workspaces/server').Workspace;
let POST: typeof import('@/app/api/runs/[id]/undo/route').POST;
let visitor: { visitorId: string; value: string };

/** `bash <command>` makes the agent run it; after the tool result it says "done"; anything else is "noted". */
function script(request: MessagesRequest): Reply {
  if (lastToolResults(request).length > 0) return { blocks: [{ type: 'text', text: 'done' }] };
  const command = lastUserText(request).match(/^bash (.+)$/s)?.[1];
  return { blocks: [command ? { type: 'tool_use', name: 'Bash', input: { command } } : { type: 'text', text: 'noted' }] };
}

beforeAll(async () => {
  api = await startAgentTestEnv({ responder: script, dataDir, env: { TETHER_WORKSPACE_QUOTA_MB: '0' } });
  const workspaces = await import('@/features/workspaces/server');
  workspace = workspaces.createWorkspace({ name: 'undo-note', files: { 'a.txt': 'one\ntwo\n', 'b.txt': 'to be moved\n' }, config: { allowBash: true } });
  runs = await import('../../runs/server/run-manager');
  views = await import('../../runs/server/conversation-view');
  ({ POST } = await import('@/app/api/runs/[id]/undo/route'));
  visitor = await (await import('@/features/visitors/server')).issueVisitorCookie({ secure: false, address: '127.0.0.1' });
});

afterAll(async () => {
  (await import('../../agents/server/agent-pool')).closeAllProcesses();
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

async function send(conversationId: string, text: string, { replaceLast = false } = {}) {
  const asked = api.requests.length;
  const info = await runs.startRun({ visitorId: visitor.visitorId, workspace, conversationId, text, model: 'claude-sonnet-4-5', mode: 'build', replaceLast });
  const events = await eventsUntilEnd(runs.requireRun({ runId: info.id, visitorId: visitor.visitorId, workspace: workspace.name }));
  expect(events.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
  // The model's first request of this run: the one carrying the new message.
  const request = api.requests.slice(asked).find((sent) => lastUserText(sent).includes(text));
  expect(request).toBeDefined();
  return { runId: info.id, request: request! };
}

async function undo(runId: string) {
  const req = new NextRequest(`http://127.0.0.1/api/runs/${runId}/undo`, {
    method: 'POST',
    headers: { host: 'undo-note.localhost:3000', cookie: `tether_visitor=${visitor.value}`, origin: 'http://undo-note.localhost:3000' },
  });
  const response = await POST(req, { params: Promise.resolve({ id: runId }) });
  return { status: response.status, body: (await response.json()) as { undone?: { paths: string[] } } };
}

/** The texts of the request's last user message, block by block, without the CLI's own reminders. */
function newMessageTexts(request: MessagesRequest): string[] {
  const last = request.messages.findLast((message) => message.role === 'user')!;
  const texts = typeof last.content === 'string' ? [last.content] : last.content.filter((block: ContentBlock) => block.type === 'text').map((block) => String(block.text));
  return texts.filter((text) => !text.startsWith('<system-reminder>'));
}
const notesIn = (request: MessagesRequest) => newMessageTexts(request).filter((text) => text.startsWith('<changes-undone>'));

describe('after an Undo, on the real CLI', () => {
  it("the next message tells the agent which files were restored, once; the history shows the visitor's words alone", async () => {
    const conversationId = randomUUID();
    const edit = await send(conversationId, "bash sed -i 's/two/TWO/' a.txt && mv b.txt moved.txt");
    expect(notesIn(edit.request)).toEqual([]);
    expect(await undo(edit.runId)).toMatchObject({ status: 200, body: { undone: { paths: ['a.txt', 'b.txt', 'moved.txt'] } } });

    const next = await send(conversationId, 'what now?');
    const note = '<changes-undone>\nThe user undid your changes to: a.txt, b.txt, moved.txt (they are back as they were before that run).\n</changes-undone>';
    expect(newMessageTexts(next.request)).toEqual([note, 'what now?']);
    const after = await send(conversationId, 'and then?');
    expect(newMessageTexts(after.request)).toEqual(['and then?']);

    const view = await views.conversationView({ visitorId: visitor.visitorId, workspace, conversationId });
    const said = view.items.flatMap((item) => (item.kind === 'user' ? [item.text] : []));
    expect(said).toEqual(["bash sed -i 's/two/TWO/' a.txt && mv b.txt moved.txt", 'what now?', 'and then?']);
    expect(view.items.find((item) => item.kind === 'changes')).toMatchObject({ runId: edit.runId, undoneAt: expect.any(String) });
  });

  it('two runs undone are told together; a Retry of the told message is told again, as the agent no longer has it', async () => {
    const conversationId = randomUUID();
    const first = await send(conversationId, 'bash echo first > first.txt');
    const second = await send(conversationId, 'bash echo second > second.txt');
    expect((await undo(second.runId)).status).toBe(200);
    expect((await undo(first.runId)).status).toBe(200);
    const note = undoNote(['first.txt', 'second.txt'], { runs: 2 });
    expect(note).toContain('to: first.txt, second.txt (they are back as they were before those runs)');

    const told = await send(conversationId, 'hello');
    expect(notesIn(told.request)).toEqual([note]);
    const retried = await send(conversationId, 'hello', { replaceLast: true });
    expect(notesIn(retried.request)).toEqual([note]);
    // The told message left the session with its note: the model sees it once.
    expect(JSON.stringify(retried.request.messages).split('<changes-undone>').length - 1).toBe(1);
    expect(notesIn((await send(conversationId, 'bye')).request)).toEqual([]);
  });
});
