/**
 * The quick start on a machine without the sandbox (macOS, a bare box): the base domain is
 * localhost and bubblewrap is missing, so agents run unconfined — but never with Bash or web
 * tools, and still unable to reach another conversation's transcript by any file tool. The real
 * CLI against the scripted API.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastToolResults, lastUserText, type MessagesApi, type Reply } from '@/lib/messages-api/server';
import { eventsUntilEnd, startAgentTestEnv } from '@/tests/fixtures/agent-env';
import type { RunEvent } from '../../runs/types';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-unsandboxed-'));
const PHRASE = 'UNSANDBOXED-PHRASE-OF-A-91b';
const PHRASE_PATTERN = 'UNSANDBOXED-PHRASE-OF-A-91[b]';

let api: MessagesApi;
let runs: typeof import('../../runs/server/run-manager');
let conversations: typeof import('@/features/conversations/server');
let sandbox: typeof import('./agent-sandbox');
let workspace: import('@/features/workspaces/server').Workspace;

function script(request: Parameters<typeof lastUserText>[0]): Reply {
  if (lastToolResults(request).length > 0) return { blocks: [{ type: 'text', text: 'done' }] };
  const call = lastUserText(request).match(/^tool (\w+) (.+)$/s);
  if (call) return { blocks: [{ type: 'tool_use', name: call[1]!, input: JSON.parse(call[2]!) }] };
  return { blocks: [{ type: 'text', text: 'noted' }] };
}

beforeAll(async () => {
  api = await startAgentTestEnv({ responder: script, dataDir, env: { TETHER_BASE_DOMAIN: 'localhost', TETHER_BWRAP_PATH: '/nonexistent/bwrap' } });
  const workspaces = await import('@/features/workspaces/server');
  // Asks for a shell and the web; without the sandbox it gets neither.
  workspace = workspaces.createWorkspace({ name: 'open', files: { 'notes.txt': 'notes\n' }, config: { allowBash: true, allowWeb: true } });
  runs = await import('../../runs/server/run-manager');
  conversations = await import('@/features/conversations/server');
  sandbox = await import('./agent-sandbox');
});

afterAll(async () => {
  (await import('../../agents/server/agent-pool')).closeAllProcesses();
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

async function send(visitorId: string, conversationId: string, text: string): Promise<RunEvent[]> {
  const info = await runs.startRun({ visitorId, workspace, conversationId, text, model: 'claude-sonnet-4-5', mode: 'build' });
  const run = runs.requireRun({ runId: info.id, visitorId, workspace: workspace.name });
  return eventsUntilEnd(run);
}

const tool = (name: string, input: Record<string, unknown>) => `tool ${name} ${JSON.stringify(input)}`;
const resultOf = (events: RunEvent[]) => events.find((event) => event.type === 'tool_result');

describe('without the sandbox, on localhost', () => {
  const visitorA = randomUUID();
  const conversationA = randomUUID();
  const visitorB = randomUUID();
  const conversationB = randomUUID();
  let transcriptOfA: string;

  beforeAll(async () => {
    await send(visitorA, conversationA, `Remember this: ${PHRASE}`);
    const sessionA = (await conversations.getConversation({ id: conversationA, visitorId: visitorA, workspace: 'open' }))!.sdkSessionId!;
    // Unsandboxed, the CLI names its project folder after the workspace's real path.
    transcriptOfA = path.join(dataDir, 'agents', conversationA, '.claude', 'projects', workspace.filesDir.replace(/[^a-zA-Z0-9]/g, '-'), `${sessionA}.jsonl`);
    expect(readFileSync(transcriptOfA, 'utf8')).toContain(PHRASE);
  });

  it('runs agents unsandboxed, and says why', () => {
    expect(sandbox.sandboxState()).toEqual({ sandboxed: false, reason: 'bubblewrap is not installed (no /nonexistent/bwrap)' });
  });

  it('offers no Bash and no web tools, whatever the workspace allows, and refuses them if called', async () => {
    const events = await send(visitorA, conversationA, tool('Bash', { command: 'cat /etc/passwd' }));
    const offered = (api.requests.at(-1)!.tools ?? []).map((offer) => offer.name);
    expect(offered).toEqual(expect.arrayContaining(['Read', 'Glob', 'Grep', 'Write', 'Edit']));
    for (const name of ['Bash', 'WebFetch', 'WebSearch']) expect(offered).not.toContain(name);
    expect(resultOf(events)).toMatchObject({ status: expect.stringMatching(/denied|error/) });
    expect(JSON.stringify(api.requests.at(-1))).not.toContain('root:x:0:0');
  });

  it.each([
    ["Read of A's transcript", () => tool('Read', { file_path: transcriptOfA })],
    ['Grep of the data root', () => tool('Grep', { pattern: PHRASE_PATTERN, path: dataDir, output_mode: 'content' })],
    ['Glob of the agents folder', () => tool('Glob', { pattern: '**/*.jsonl', path: path.join(dataDir, 'agents') })],
    ['Glob of its own config folder (which the CLI lets through on its own)', () => tool('Glob', { pattern: '**/*', path: path.join(dataDir, 'agents', conversationB, '.claude') })],
  ])("still gives visitor B's %s none of A's words", async (_what, prompt) => {
    const withPhrase = () => api.requests.filter((request) => JSON.stringify(request).includes(PHRASE)).length;
    const before = withPhrase();
    const events = await send(visitorB, conversationB, prompt());
    expect(resultOf(events)).toMatchObject({ status: 'denied', summary: expect.stringContaining('Blocked by Tether:') });
    expect(withPhrase()).toBe(before);
  });
});
