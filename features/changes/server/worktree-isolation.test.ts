/**
 * A git workspace with `"isolation": "worktree"`, on the real CLI in the real bubblewrap sandbox
 * against a scripted Messages API: each conversation edits its own worktree on its own branch,
 * its Changes, Undo and Files are that worktree's, Commit (the real route handler) commits on its
 * branch, the agent's git reads the repository but can't write it, and a deleted or expired
 * conversation's worktree goes.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastToolResults, lastUserText, type MessagesApi, type Reply } from '@/lib/messages-api/server';
import { eventsUntilEnd, startAgentTestEnv } from '@/tests/fixtures/agent-env';
import type { RunEvent } from '../../runs/types';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-worktrees-'));
let api: MessagesApi;
let runs: typeof import('../../runs/server/run-manager');
let workspace: import('@/features/workspaces/server').Workspace;
let owner: { visitorId: string; value: string };
let stranger: { visitorId: string; value: string };
const host = 'repo.localhost:3000';

/** `bash <command>` makes the agent run it; after the tool result it says "done". */
function script(request: Parameters<typeof lastUserText>[0]): Reply {
  if (lastToolResults(request).length > 0) return { blocks: [{ type: 'text', text: 'done' }] };
  const command = lastUserText(request).match(/^bash (.+)$/s)?.[1];
  return { blocks: [command ? { type: 'tool_use', name: 'Bash', input: { command } } : { type: 'text', text: 'noted' }] };
}

const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { cwd, encoding: 'utf8' });

beforeAll(async () => {
  api = await startAgentTestEnv({ responder: script, dataDir, env: { TETHER_WORKSPACE_QUOTA_MB: '0' } });
  const workspaces = await import('@/features/workspaces/server');
  workspace = workspaces.createWorkspace({ name: 'repo', files: { 'a.txt': 'one\ntwo\n' }, config: { allowBash: true, isolation: 'worktree' } });
  git(workspace.filesDir, 'init', '-q', '-b', 'main');
  git(workspace.filesDir, 'add', '-A');
  git(workspace.filesDir, 'commit', '-q', '-m', 'first');
  workspaces.createWorkspace({ name: 'plain', config: { allowBash: true, isolation: 'worktree' } });
  runs = await import('../../runs/server/run-manager');
  (await import('@/features/runs/server')).forgetDeletedConversations();
  const { issueVisitorCookie } = await import('@/features/visitors/server');
  owner = await issueVisitorCookie({ secure: false, address: '127.0.0.1' });
  stranger = await issueVisitorCookie({ secure: false, address: '127.0.0.1' });
  expect((await import('@/features/sandbox/server')).sandboxState()).toMatchObject({ sandboxed: true });
});

afterAll(async () => {
  (await import('../../agents/server/agent-pool')).closeAllProcesses();
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

async function runBash(conversationId: string, command: string, on = workspace) {
  const info = await runs.startRun({ visitorId: owner.visitorId, workspace: on, conversationId, text: `bash ${command}`, model: 'claude-sonnet-4-5', mode: 'build' });
  const events = await eventsUntilEnd(runs.requireRun({ runId: info.id, visitorId: owner.visitorId, workspace: on.name }));
  const output = String(lastToolResults(api.requests.at(-1)!)[0]?.content ?? '');
  return { runId: info.id, events, output, changes: events.find((event): event is Extract<RunEvent, { type: 'changes' }> => event.type === 'changes') };
}

function request(url: string, visitor: { value: string }, init: { method?: string; body?: unknown } = {}) {
  const headers = { host, cookie: `tether_visitor=${visitor.value}`, origin: `http://${host}`, 'content-type': 'application/json' };
  return new NextRequest(`http://${host}${url}`, { method: init.method ?? 'GET', headers, ...(init.body ? { body: JSON.stringify(init.body) } : {}) });
}

async function answer(response: Response) {
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & { error?: { code: string; message: string } } };
}

const worktreeOf = (conversationId: string) => path.join(workspace.filesDir, '.tether-worktrees', conversationId);
const branchOf = (conversationId: string) => `tether/${conversationId.slice(0, 8)}`;

describe('a conversation per git worktree', () => {
  const first = randomUUID();
  const second = randomUUID();

  it('gives two conversations their own worktree and branch: neither sees the other’s edit, nor does the shared folder', async () => {
    const a = await runBash(first, "sed -i 's/one/first/' a.txt && cat a.txt && git status --short && git branch --show-current");
    const b = await runBash(second, "sed -i 's/one/second/' a.txt && cat a.txt");
    expect(a.events.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
    expect(a.output).toContain('first\ntwo');
    // The agent's git works on its worktree (read-only: status and branch, not commits).
    expect(a.output).toContain(' M a.txt');
    expect(a.output).toContain(branchOf(first));
    expect(b.output).toContain('second\ntwo');
    expect(b.output).not.toContain('first');
    expect(readFileSync(path.join(worktreeOf(first), 'a.txt'), 'utf8')).toBe('first\ntwo\n');
    expect(readFileSync(path.join(worktreeOf(second), 'a.txt'), 'utf8')).toBe('second\ntwo\n');
    expect(readFileSync(path.join(workspace.filesDir, 'a.txt'), 'utf8')).toBe('one\ntwo\n');
    expect(git(workspace.filesDir, 'status', '--short')).toBe('');
    expect(a.changes?.files.map((file) => [file.path, file.kind])).toEqual([['a.txt', 'modified']]);
  });

  it('shows each conversation its own files, and no one else’s', async () => {
    const { GET } = await import('@/app/api/files/content/route');
    const read = (conversationId: string, visitor = owner) => GET(request(`/api/files/content?path=a.txt&conversation=${conversationId}`, visitor), { params: Promise.resolve({}) }).then(answer);
    expect(await read(first)).toMatchObject({ status: 200, body: { text: 'first\ntwo\n' } });
    expect(await read(second)).toMatchObject({ status: 200, body: { text: 'second\ntwo\n' } });
    expect(await read(first, stranger)).toMatchObject({ status: 404, body: { error: { code: 'not_found:conversation' } } });
    const { GET: list } = await import('@/app/api/files/route');
    const root = await answer(await list(request('/api/files?path=', owner), { params: Promise.resolve({}) }));
    expect((root.body.entries as Array<{ name: string }>).map((entry) => entry.name)).not.toContain('.tether-worktrees');
  });

  it('keeps the agent from writing the repository: no commit, no hook', async () => {
    const { output } = await runBash(first, "git commit -qam sneaky; echo 'touch /tmp/owned' > /repository.git/hooks/post-commit; ls /repository.git/hooks/post-commit 2>&1; echo end");
    expect(output).toMatch(/Read-only file system/);
    expect(output).toContain('No such file');
    expect(git(workspace.filesDir, 'log', '--format=%s', branchOf(first))).toBe('first\n');
  });

  it('commits the worktree on its branch with the message given, and lists it', async () => {
    const { POST, GET } = await import('@/app/api/conversations/[id]/commit/route');
    const params = { params: Promise.resolve({ id: first }) };
    const made = await answer(await POST(request(`/api/conversations/${first}/commit`, owner, { method: 'POST', body: { message: 'Say first\n\nBy the agent.' } }), params));
    expect(made).toMatchObject({ status: 200, body: { branch: branchOf(first), commits: [{ subject: 'Say first' }] } });
    expect(made.body.commit).toBe(git(workspace.filesDir, 'rev-parse', branchOf(first)).trim());
    expect(git(workspace.filesDir, 'show', '-s', '--format=%B', branchOf(first))).toBe('Say first\n\nBy the agent.\n\n');
    expect(git(workspace.filesDir, 'show', `${branchOf(first)}:a.txt`)).toBe('first\ntwo\n');
    expect(git(workspace.filesDir, 'rev-parse', 'main').trim()).not.toBe(made.body.commit);
    const listed = await answer(await GET(request(`/api/conversations/${first}/commit`, owner), { params: Promise.resolve({ id: first }) }));
    expect(listed).toMatchObject({ status: 200, body: { commits: [{ id: made.body.commit, subject: 'Say first' }] } });
    const again = await answer(await POST(request(`/api/conversations/${first}/commit`, owner, { method: 'POST', body: { message: 'Again' } }), { params: Promise.resolve({ id: first }) }));
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'conflict:nothing_to_commit' } } });
    const empty = await answer(await POST(request(`/api/conversations/${first}/commit`, owner, { method: 'POST', body: { message: '  ' } }), { params: Promise.resolve({ id: first }) }));
    expect(empty).toMatchObject({ status: 400 });
    const foreign = await answer(await POST(request(`/api/conversations/${first}/commit`, stranger, { method: 'POST', body: { message: 'Mine now' } }), { params: Promise.resolve({ id: first }) }));
    expect(foreign).toMatchObject({ status: 404 });
  });

  it('undoes a run in its own worktree only', async () => {
    const { runId } = await runBash(second, "sed -i 's/two/2/' a.txt");
    const { POST } = await import('@/app/api/runs/[id]/undo/route');
    const undone = await answer(await POST(request(`/api/runs/${runId}/undo`, owner, { method: 'POST' }), { params: Promise.resolve({ id: runId }) }));
    expect(undone).toMatchObject({ status: 200, body: { undone: { paths: ['a.txt'] } } });
    expect(readFileSync(path.join(worktreeOf(second), 'a.txt'), 'utf8')).toBe('second\ntwo\n');
    expect(readFileSync(path.join(worktreeOf(first), 'a.txt'), 'utf8')).toBe('first\ntwo\n');
  });

  it('removes a deleted conversation’s worktree and keeps its branch', async () => {
    const { deleteConversationsForGood } = await import('@/features/conversations/server');
    await deleteConversationsForGood({ visitorId: owner.visitorId, workspace: 'repo', ids: [first] });
    expect(existsSync(worktreeOf(first))).toBe(false);
    expect(git(workspace.filesDir, 'worktree', 'list')).not.toContain(first);
    expect(git(workspace.filesDir, 'branch', '--list', branchOf(first))).toContain(branchOf(first));
    expect(existsSync(worktreeOf(second))).toBe(true);
  });

  it('sweeps the worktree of a conversation that is gone (expired)', async () => {
    const { openConversationWorkspace } = await import('@/features/workspaces/server');
    const gone = randomUUID();
    await openConversationWorkspace(workspace, gone);
    expect(existsSync(worktreeOf(gone))).toBe(true);
    expect(await (await import('@/features/runs/server')).sweepWorktrees()).toBe(1);
    expect(existsSync(worktreeOf(gone))).toBe(false);
    expect(existsSync(worktreeOf(second))).toBe(true);
  });

  it('refuses a first message, saying why, when the workspace’s files are no git repository', async () => {
    const { findWorkspace } = await import('@/features/workspaces/server');
    await expect(runBash(randomUUID(), 'echo never', findWorkspace('plain')!)).rejects.toMatchObject({ code: 'conflict:not_a_repository', message: expect.stringContaining('git init') });
  });
});
