/**
 * Changes and Undo see what the shell did: the real Agent SDK and its CLI in the real bubblewrap
 * sandbox, a scripted Messages API whose agent runs Bash commands (`sed -i`, `mv`, `rm`, a binary,
 * `mkdir`). Changes lists each with its kind; Undo through the real route handler puts the
 * workspace back byte for byte; a later edit by hand blocks Undo and is named; a run whose
 * snapshot can't be taken never reaches the agent.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastToolResults, lastUserText, type MessagesApi, type Reply } from '@/lib/messages-api/server';
import { eventsUntilEnd, startAgentTestEnv } from '@/tests/fixtures/agent-env';
import type { RunEvent } from '../../runs/types';
import { treeListing } from '@/tests/fixtures/tree-listing';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-shell-changes-'));
let api: MessagesApi;
let runs: typeof import('../../runs/server/run-manager');
let workspace: import('@/features/workspaces/server').Workspace;
let POST: typeof import('@/app/api/runs/[id]/undo/route').POST;
let visitor: { visitorId: string; value: string };

/** `bash <command>` makes the agent run it; after the tool result it says "done". */
function script(request: Parameters<typeof lastUserText>[0]): Reply {
  if (lastToolResults(request).length > 0) return { blocks: [{ type: 'text', text: 'done' }] };
  const command = lastUserText(request).match(/^bash (.+)$/s)?.[1];
  return { blocks: [command ? { type: 'tool_use', name: 'Bash', input: { command } } : { type: 'text', text: 'noted' }] };
}

beforeAll(async () => {
  api = await startAgentTestEnv({ responder: script, dataDir, env: { TETHER_WORKSPACE_QUOTA_MB: '0', TETHER_SNAPSHOT_TIMEOUT_SECONDS: '3' } });
  const workspaces = await import('@/features/workspaces/server');
  const files = { 'a.txt': 'one\ntwo\nthree\n', 'b.txt': 'to be moved\n', 'c.txt': 'to be removed\n', 'notes.md': 'notes\n' };
  workspace = workspaces.createWorkspace({ name: 'shell', files, config: { allowBash: true } });
  runs = await import('../../runs/server/run-manager');
  ({ POST } = await import('@/app/api/runs/[id]/undo/route'));
  visitor = await (await import('@/features/visitors/server')).issueVisitorCookie({ secure: false, address: '127.0.0.1' });
  expect((await import('@/features/sandbox/server')).sandboxState()).toMatchObject({ sandboxed: true });
});

afterAll(async () => {
  (await import('../../agents/server/agent-pool')).closeAllProcesses();
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

async function runBash(command: string) {
  const info = await runs.startRun({ visitorId: visitor.visitorId, workspace, conversationId: randomUUID(), text: `bash ${command}`, model: 'claude-sonnet-4-5', mode: 'build' });
  const events = await eventsUntilEnd(runs.requireRun({ runId: info.id, visitorId: visitor.visitorId, workspace: workspace.name }));
  return { runId: info.id, events, changes: events.find((event): event is Extract<RunEvent, { type: 'changes' }> => event.type === 'changes') };
}

async function undo(runId: string) {
  const req = new NextRequest(`http://127.0.0.1/api/runs/${runId}/undo`, {
    method: 'POST',
    headers: { host: 'shell.localhost:3000', cookie: `tether_visitor=${visitor.value}`, origin: 'http://shell.localhost:3000' },
  });
  const response = await POST(req, { params: Promise.resolve({ id: runId }) });
  return { status: response.status, body: (await response.json()) as { undone?: { paths: string[] }; error?: { code: string; message: string } } };
}

const listing = (dir = workspace.filesDir) => treeListing(dir);

describe('changes made by the shell, on the real CLI in the sandbox', () => {
  it('lists every change of a Bash run with its kind, and Undo restores all of it byte for byte', async () => {
    const original = listing();
    const { runId, events, changes } = await runBash("sed -i 's/two/TWO/' a.txt && mv b.txt moved.txt && rm c.txt && printf 'PNG\\0\\1\\2\\377' > blob.bin && mkdir d && touch d/e && echo ok");
    expect(events.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
    expect(lastToolResults(api.requests.at(-1)!)[0]?.content).toContain('ok');
    expect(changes?.files.map((file) => [file.path, file.kind])).toEqual([
      ['a.txt', 'modified'],
      ['blob.bin', 'added'],
      ['c.txt', 'deleted'],
      ['d/e', 'added'],
      ['moved.txt', 'renamed'],
    ]);
    const byPath = Object.fromEntries(changes!.files.map((file) => [file.path, file]));
    expect(byPath['a.txt']).toMatchObject({ added: 1, removed: 1, restorable: true });
    expect(byPath['a.txt']!.patch).toContain('+TWO');
    expect(byPath['blob.bin']).toMatchObject({ binary: true, size: 7, patch: null });
    expect(byPath['moved.txt']).toMatchObject({ oldPath: 'b.txt' });

    const undone = await undo(runId);
    expect(undone).toMatchObject({ status: 200, body: { undone: { paths: ['a.txt', 'b.txt', 'blob.bin', 'c.txt', 'd/e', 'moved.txt'] } } });
    expect(listing()).toEqual(original);
    expect(await undo(runId)).toMatchObject({ status: 409, body: { error: { code: 'conflict:already_undone' } } });
  });

  it('a later edit by hand blocks Undo, which names the file and changes nothing', async () => {
    const { runId, changes } = await runBash("sed -i 's/notes/shell notes/' notes.md && echo more >> a.txt");
    expect(changes?.files.map((file) => file.path)).toEqual(['a.txt', 'notes.md']);
    writeFileSync(path.join(workspace.filesDir, 'notes.md'), 'my own notes\n');
    const now = listing();
    const refused = await undo(runId);
    expect(refused).toMatchObject({ status: 409, body: { error: { code: 'conflict:changed_since' } } });
    expect(refused.body.error!.message).toMatch(/^notes\.md changed after this run/);
    expect(listing()).toEqual(now);
  });

  it("a run whose snapshot can't be taken fails before the agent gets its message, saying why", async () => {
    const lock = path.join(path.dirname(workspace.filesDir), 'snapshots.git', 'index.lock');
    writeFileSync(lock, '');
    const asked = api.requests.length;
    try {
      const { events, changes } = await runBash('echo never');
      expect(events.at(-1)).toMatchObject({ type: 'end', status: 'failed' });
      expect(events.find((event) => event.type === 'error')).toMatchObject({ code: 'unavailable:snapshot', message: expect.stringMatching(/took longer than 3 s\..* Nothing was started/) });
      expect(changes).toBeUndefined();
      expect(api.requests.length).toBe(asked);
    } finally {
      rmSync(lock, { force: true });
    }
  });
});
