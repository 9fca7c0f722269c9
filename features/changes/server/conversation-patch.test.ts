/**
 * A conversation's whole change and its patch, on the real Agent SDK and its CLI in the sandbox,
 * against a scripted Messages API whose agent runs Bash commands. Two runs edit with the shell
 * (`sed -i`, `mv`, `rm`, binaries, a mode, a link); the conversation's Changes list them, and its
 * patch, through the real route handler, applies with `git apply` to a copy of the files as they
 * were and gives the workspace's files byte for byte. Another visitor gets 404; a conversation
 * with nothing to put in a patch gets 409.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastToolResults, lastUserText, type MessagesApi, type MessagesRequest, type Reply } from '@/lib/messages-api/server';
import { eventsUntilEnd, startAgentTestEnv } from '@/tests/fixtures/agent-env';
import type { FileChange } from '../types';
import { treeListing } from '@/tests/fixtures/tree-listing';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-conversation-patch-'));
let api: MessagesApi;
let runs: typeof import('../../runs/server/run-manager');
let workspace: import('@/features/workspaces/server').Workspace;
let routes: { patch: typeof import('@/app/api/conversations/[id]/patch/route'); changes: typeof import('@/app/api/conversations/[id]/changes/route') };
let undoRoute: typeof import('@/app/api/runs/[id]/undo/route');
let owner: { visitorId: string; value: string };
let stranger: { visitorId: string; value: string };
/** The workspace's files as they were before any run. */
let original: string;

function script(request: MessagesRequest): Reply {
  if (lastToolResults(request).length > 0) return { blocks: [{ type: 'text', text: 'done' }] };
  const command = lastUserText(request).match(/^bash (.+)$/s)?.[1];
  return { blocks: [command ? { type: 'tool_use', name: 'Bash', input: { command } } : { type: 'text', text: 'noted' }] };
}

beforeAll(async () => {
  api = await startAgentTestEnv({ responder: script, dataDir, env: { TETHER_WORKSPACE_QUOTA_MB: '0' } });
  const files = { 'a.txt': 'one\ntwo\nthree\n', 'b.txt': 'to be moved\n', 'c.txt': 'to be removed\n', 'run.sh': 'echo hi\n', 'mine.txt': 'mine\n', 'kept.txt': 'kept\n' };
  workspace = (await import('@/features/workspaces/server')).createWorkspace({ name: 'patch', files, config: { allowBash: true } });
  writeFileSync(path.join(workspace.filesDir, 'logo.bin'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 0xff]));
  original = mkdtempSync(path.join(tmpdir(), 'tether-patch-original-'));
  cpSync(workspace.filesDir, original, { recursive: true });
  runs = await import('../../runs/server/run-manager');
  routes = { patch: await import('@/app/api/conversations/[id]/patch/route'), changes: await import('@/app/api/conversations/[id]/changes/route') };
  undoRoute = await import('@/app/api/runs/[id]/undo/route');
  const { issueVisitorCookie } = await import('@/features/visitors/server');
  owner = await issueVisitorCookie({ secure: false, address: '127.0.0.1' });
  stranger = await issueVisitorCookie({ secure: false, address: '127.0.0.1' });
});

afterAll(async () => {
  (await import('../../agents/server/agent-pool')).closeAllProcesses();
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

async function runBash(conversationId: string, command: string) {
  const info = await runs.startRun({ visitorId: owner.visitorId, workspace, conversationId, text: `bash ${command}`, model: 'claude-sonnet-4-5', mode: 'build' });
  const events = await eventsUntilEnd(runs.requireRun({ runId: info.id, visitorId: owner.visitorId, workspace: workspace.name }));
  expect(events.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
  return info.id;
}

const request = (url: string, visitor: { value: string }, method = 'GET') =>
  new NextRequest(`http://127.0.0.1${url}`, { method, headers: { host: 'patch.localhost:3000', cookie: `tether_visitor=${visitor.value}`, origin: 'http://patch.localhost:3000' } });
const params = (id: string) => ({ params: Promise.resolve({ id }) });
const getPatch = (id: string, visitor = owner) => routes.patch.GET(request(`/api/conversations/${id}/patch`, visitor), params(id));
async function getChanges(id: string, visitor = owner) {
  const response = await routes.changes.GET(request(`/api/conversations/${id}/changes`, visitor), params(id));
  return { status: response.status, body: (await response.json()) as { files?: FileChange[]; error?: { code: string } } };
}

const listing = treeListing;

describe("a conversation's whole change, on the real CLI", () => {
  it('lists what its two runs changed, and its patch applied to the original files gives the files now, byte for byte', async () => {
    const conversationId = randomUUID();
    await runBash(conversationId, "sed -i 's/two/TWO/' a.txt && mv b.txt moved.txt && printf 'PNG\\0\\1\\2\\377' > blob.bin && chmod +x run.sh");
    await runBash(conversationId, "sed -i 's/one/ONE/' a.txt && printf '\\0\\0\\377' >> logo.bin && rm c.txt && mkdir d && touch d/e && ln -s a.txt link");
    // By hand, outside the conversation: a file its runs never touched is not its change.
    writeFileSync(path.join(workspace.filesDir, 'mine.txt'), 'my own edit\n');

    const { status, body } = await getChanges(conversationId);
    expect(status).toBe(200);
    expect(body.files!.map((file) => [file.path, file.kind])).toEqual([
      ['a.txt', 'modified'],
      ['blob.bin', 'added'],
      ['c.txt', 'deleted'],
      ['d/e', 'added'],
      ['link', 'added'],
      ['logo.bin', 'modified'],
      ['moved.txt', 'renamed'],
      ['run.sh', 'modified'],
    ]);
    const byPath = Object.fromEntries(body.files!.map((file) => [file.path, file]));
    expect(byPath['a.txt']).toMatchObject({ added: 2, removed: 2 });
    expect(byPath['logo.bin']).toMatchObject({ binary: true, size: 11 });
    expect(byPath['run.sh']).toMatchObject({ mode: { before: '100644', after: '100755' } });

    const response = await getPatch(conversationId);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="tether-bash-sed-i-s-two-two-a-txt-[a-z0-9-]+\.patch"$/);
    const patch = Buffer.from(await response.arrayBuffer());
    expect(patch.toString('utf8')).not.toContain('mine.txt');
    const copy = mkdtempSync(path.join(tmpdir(), 'tether-patch-copy-'));
    cpSync(original, copy, { recursive: true });
    const patchFile = path.join(tmpdir(), `${randomUUID()}.patch`);
    writeFileSync(patchFile, patch);
    const git = (args: string[]) =>
      execFileSync('git', args, {
        cwd: copy,
        env: { PATH: process.env.PATH, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', HOME: copy } as Partial<NodeJS.ProcessEnv> as NodeJS.ProcessEnv,
      });
    git(['apply', '--check', patchFile]);
    git(['apply', patchFile]);
    expect(listing(copy)).toEqual({ ...listing(workspace.filesDir), 'mine.txt': listing(original)['mine.txt'] });
  });

  it('a device the conversation was handed to gets them as its owner does; another visitor gets 404 for both', async () => {
    const conversationId = randomUUID();
    await runBash(conversationId, 'echo stranger > stranger.txt');
    const sharing = await import('@/features/sharing/server');
    const phone = await (await import('@/features/visitors/server')).issueVisitorCookie({ secure: false, address: '127.0.0.1' });
    const { url } = await sharing.createHandoff({ visitorId: owner.visitorId, workspace: 'patch', conversationId, userAgent: 'desk', origin: 'http://patch.localhost:3000' });
    await sharing.redeemHandoff({ visitorId: phone.visitorId, workspace: 'patch', token: url.split('#handoff=')[1]!, userAgent: 'phone' });
    expect((await getChanges(conversationId, phone)).body.files?.map((file) => file.path)).toEqual(['stranger.txt']);
    expect((await getPatch(conversationId, phone)).status).toBe(200);
    expect(await getChanges(conversationId, stranger)).toMatchObject({ status: 404, body: { error: { code: 'not_found:conversation' } } });
    const refused = await getPatch(conversationId, stranger);
    expect(refused.status).toBe(404);
    expect(await refused.json()).toMatchObject({ error: { code: 'not_found:conversation' } });
    expect((await getPatch(randomUUID())).status).toBe(404);
    expect((await getPatch('not-a-uuid')).status).toBe(400);
  });

  it('nothing to put in a patch: 409 conflict:no_changes, saying why, and no files listed', async () => {
    const readOnly = randomUUID();
    await runBash(readOnly, 'cat kept.txt');
    expect(await getChanges(readOnly)).toEqual({ status: 200, body: { files: [] } });
    const none = await getPatch(readOnly);
    expect(none.status).toBe(409);
    expect(await none.json()).toEqual({ error: { code: 'conflict:no_changes', message: 'This conversation changed no files, so there is no patch.' } });

    const undone = randomUUID();
    const runId = await runBash(undone, "sed -i 's/kept/changed/' kept.txt");
    expect((await undoRoute.POST(request(`/api/runs/${runId}/undo`, owner, 'POST'), params(runId))).status).toBe(200);
    expect(await getChanges(undone)).toEqual({ status: 200, body: { files: [] } });
    const back = await getPatch(undone);
    expect(back.status).toBe(409);
    expect(await back.json()).toMatchObject({ error: { code: 'conflict:no_changes', message: expect.stringContaining('back as they were before it') } });
  });
});
