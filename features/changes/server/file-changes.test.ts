/**
 * Changes per run and their Undo, on the real Agent SDK and its CLI child driven by the demo
 * model (Read then Edit, or Write): what a run changed comes back as a `changes` event and in the
 * conversation's history; Undo through the real route handler puts the files back, and refuses,
 * changing nothing, when that would clobber later edits.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessagesApi } from '@/lib/messages-api/server';
import { eventsUntilEnd, startAgentTestEnv } from '@/tests/fixtures/agent-env';
import type { AgentMode, RunEvent } from '../../runs/types';

const GREETING = 'export function greet(name: string): string {\n  return `Hello, ${name}!`;\n}\n';
const EDITED = `${GREETING}// Edited by Tether's demo model.\n`;
const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-changes-'));
let api: MessagesApi;
let runs: typeof import('../../runs/server/run-manager');
let views: typeof import('../../runs/server/conversation-view');
let workspace: import('@/features/workspaces/server').Workspace;
let POST: typeof import('@/app/api/runs/[id]/undo/route').POST;
let owner: { visitorId: string; value: string };
let stranger: { visitorId: string; value: string };

beforeAll(async () => {
  const { demoResponder } = await import('../../sandbox/server/demo-model');
  api = await startAgentTestEnv({ responder: demoResponder, dataDir });
  const workspaces = await import('@/features/workspaces/server');
  const files = Object.fromEntries(['undo', 'outside', 'later', 'stranger'].map((name) => [`${name}.ts`, GREETING]));
  workspace = workspaces.createWorkspace({ name: 'changes', files, config: {} });
  runs = await import('../../runs/server/run-manager');
  views = await import('../../runs/server/conversation-view');
  ({ POST } = await import('@/app/api/runs/[id]/undo/route'));
  const { issueVisitorCookie } = await import('@/features/visitors/server');
  owner = await issueVisitorCookie({ secure: false, address: '127.0.0.1' });
  stranger = await issueVisitorCookie({ secure: false, address: '127.0.0.1' });
});

afterAll(async () => {
  await runs.handOverAllRuns(2000);
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

async function run(text: string, { conversationId = randomUUID(), mode = 'build' as AgentMode } = {}) {
  const info = await runs.startRun({ visitorId: owner.visitorId, workspace, conversationId, text, model: 'claude-sonnet-4-5', mode });
  const events = await eventsUntilEnd(runs.requireRun({ runId: info.id, visitorId: owner.visitorId, workspace: workspace.name }));
  expect(events.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
  return { runId: info.id, conversationId, events, changes: events.find((event): event is Extract<RunEvent, { type: 'changes' }> => event.type === 'changes') };
}

/** POST /api/runs/:runId/undo as a browser of `visitor` sends it. */
async function undo(runId: string, visitor = owner) {
  const req = new NextRequest(`http://127.0.0.1/api/runs/${runId}/undo`, {
    method: 'POST',
    headers: { host: 'changes.localhost:3000', cookie: `tether_visitor=${visitor.value}`, origin: 'http://changes.localhost:3000' },
  });
  const response = await POST(req, { params: Promise.resolve({ id: runId }) });
  return { status: response.status, body: (await response.json()) as { undone?: { paths: string[] }; error?: { code: string; message: string } } };
}

const contentOf = (name: string) => readFileSync(path.join(workspace.filesDir, name), 'utf8');

describe('changes per run, on the real CLI', () => {
  it('a run that edits a file ends with its Changes, kept in the history; Undo restores the file, once', async () => {
    const { runId, conversationId, changes, events } = await run('edit undo.ts');
    expect(contentOf('undo.ts')).toBe(EDITED);
    expect(changes).toMatchObject({ runId, files: [{ path: 'undo.ts', added: 1, removed: 0, restorable: true }] });
    expect(changes!.files[0]!.patch).toContain("+// Edited by Tether's demo model.");
    // Before the end, so the section sits above the run's footer.
    expect(events.findIndex((event) => event.type === 'changes')).toBe(events.length - 2);

    const view = await views.conversationView({ visitorId: owner.visitorId, workspace, conversationId });
    const kinds = view.items.map((item) => item.kind);
    expect(kinds.slice(-2)).toEqual(['changes', 'run_end']);
    expect(view.items.at(-2)).toMatchObject({ runId, undoneAt: null, files: [{ path: 'undo.ts', added: 1, removed: 0 }] });

    expect(await undo(runId)).toEqual({ status: 200, body: { undone: { runId, paths: ['undo.ts'] } } });
    expect(contentOf('undo.ts')).toBe(GREETING);
    const after = await views.conversationView({ visitorId: owner.visitorId, workspace, conversationId });
    expect(after.items.at(-2)).toMatchObject({ kind: 'changes', undoneAt: expect.any(String) });
    expect(await undo(runId)).toMatchObject({ status: 409, body: { error: { code: 'conflict:already_undone' } } });
  });

  it('a file the run created is removed by Undo', async () => {
    const { runId, changes } = await run('write fresh.md');
    expect(changes?.files).toEqual([expect.objectContaining({ path: 'fresh.md', added: 3, removed: 0 })]);
    expect(changes!.files[0]!.patch).toContain('--- /dev/null');
    expect((await undo(runId)).status).toBe(200);
    expect(existsSync(path.join(workspace.filesDir, 'fresh.md'))).toBe(false);
  });

  it('an edit made outside the agent since the run: Undo refuses and clobbers nothing', async () => {
    const { runId } = await run('edit outside.ts');
    writeFileSync(path.join(workspace.filesDir, 'outside.ts'), 'my own work\n');
    const refused = await undo(runId);
    expect(refused).toMatchObject({ status: 409, body: { error: { code: 'conflict:changed_since' } } });
    expect(refused.body.error!.message).toContain('outside.ts changed after this run');
    expect(contentOf('outside.ts')).toBe('my own work\n');
  });

  it("a later run's edit of the same file: undoing the earlier run refuses; undoing the later one works", async () => {
    const conversationId = randomUUID();
    const first = await run('edit later.ts', { conversationId });
    const second = await run('edit later.ts', { conversationId });
    expect(second.changes?.files).toEqual([expect.objectContaining({ path: 'later.ts', added: 1, removed: 0 })]);
    expect(await undo(first.runId)).toMatchObject({ status: 409, body: { error: { code: 'conflict:changed_since' } } });
    expect((await undo(second.runId)).status).toBe(200);
    expect(contentOf('later.ts')).toBe(EDITED);
    expect((await undo(first.runId)).status).toBe(200);
    expect(contentOf('later.ts')).toBe(GREETING);
  });

  it("another visitor can't undo (404), and runs that change nothing have no Changes", async () => {
    const { runId } = await run('edit stranger.ts');
    expect(await undo(runId, stranger)).toMatchObject({ status: 404, body: { error: { code: 'not_found:run' } } });
    expect(contentOf('stranger.ts')).toBe(EDITED);
    const readOnly = await run('read stranger.ts');
    expect(readOnly.changes).toBeUndefined();
    expect(await undo(readOnly.runId)).toMatchObject({ status: 409, body: { error: { code: 'conflict:nothing_to_undo' } } });
    expect(await undo('not-a-uuid')).toMatchObject({ status: 400 });
  });
});
