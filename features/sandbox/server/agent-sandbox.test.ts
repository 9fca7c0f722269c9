/**
 * Agent isolation, tried the way an abusive visitor would: the real Agent SDK and its CLI in the
 * real bubblewrap sandbox, driven by a scripted Messages API that makes the agent call exactly
 * the tools the test names. Visitor A writes a secret phrase into a conversation; visitor B's
 * agent then tries every way to reach it, the server's secrets, the host's network and the rest
 * of the data root. B's agent is a pre-warmed one (the spare A's run left), so everything here holds
 * for pooled agents too.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { lastToolResults, lastUserText, type MessagesApi, type Reply } from '@/lib/messages-api/server';
import { eventsUntilEnd, startAgentTestEnv } from '@/tests/fixtures/agent-env';
import type { AgentMode, RunEvent } from '../../runs/types';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-sandbox-'));
const REAL_KEY = 'sk-ant-real-key-that-must-stay-outside';
const PHRASE = 'PHRASE-OF-VISITOR-A-7f3c';
// Matches the phrase without spelling it, so B's own prompts never contain it.
const PHRASE_PATTERN = 'PHRASE-OF-VISITOR-A-7f3[c]';
const SESSION_SECRET = 'SESSION-SECRET-0123456789abcdef0123456789abcdef';
const VAPID_SECRET = 'VAPID-PRIVATE-KEY-zyxw';
const OTHER_SECRET = 'OTHER-WORKSPACE-SECRET-42';

let api: MessagesApi;
let appServer: Server;
let runs: typeof import('../../runs/server/run-manager');
let conversations: typeof import('@/features/conversations/server');
let shell: import('@/features/workspaces/server').Workspace;
let web: import('@/features/workspaces/server').Workspace;

/** `tool <Name> <json input>` makes the agent call that tool; after a tool result it says "done". */
function script(request: Parameters<typeof lastUserText>[0]): Reply {
  if (lastToolResults(request).length > 0) return { blocks: [{ type: 'text', text: 'done' }] };
  const prompt = lastUserText(request);
  const call = prompt.match(/^tool (\w+) (.+)$/s);
  if (call) return { blocks: [{ type: 'tool_use', name: call[1]!, input: JSON.parse(call[2]!) }] };
  return { blocks: [{ type: 'text', text: 'noted' }] };
}

beforeAll(async () => {
  api = await startAgentTestEnv({ responder: script, dataDir, env: { ANTHROPIC_API_KEY: REAL_KEY, TETHER_PREWARMED_AGENTS: '1' } });
  writeFileSync(path.join(dataDir, 'session-secret'), SESSION_SECRET);
  writeFileSync(path.join(dataDir, 'vapid.json'), JSON.stringify({ privateKey: VAPID_SECRET }));
  const workspaces = await import('@/features/workspaces/server');
  workspaces.createWorkspace({ name: 'other', files: { 'secret.txt': OTHER_SECRET } });
  shell = workspaces.createWorkspace({ name: 'shell', files: { 'notes.txt': 'shell notes\n' }, config: { allowBash: true } });
  web = workspaces.createWorkspace({ name: 'web', config: { allowBash: true, allowWeb: true } });
  runs = await import('../../runs/server/run-manager');
  conversations = await import('@/features/conversations/server');
  // Stands in for the app's own port on the host.
  appServer = createServer((_req, res) => res.end('app')).listen(0, '127.0.0.1');
});

afterAll(async () => {
  appServer.close();
  (await import('../../agents/server/agent-pool')).closeAllProcesses();
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

type Turn = { events: RunEvent[]; toolOutput: string };

type SendInput = { visitorId: string; conversationId: string; text: string; mode?: AgentMode; workspace?: import('@/features/workspaces/server').Workspace };

async function send({ visitorId, conversationId, text, mode = 'build', workspace = shell }: SendInput): Promise<Turn> {
  const info = await runs.startRun({ visitorId, workspace, conversationId, text, model: 'claude-sonnet-4-5', mode });
  const run = runs.requireRun({ runId: info.id, visitorId, workspace: workspace.name });
  const events = await eventsUntilEnd(run);
  expect(events.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
  // The request after a tool call carries its whole result, as the model saw it.
  const toolOutput = events.some((event) => event.type === 'tool') ? (lastToolResults(api.requests.at(-1)!)[0]?.content ?? '') : '';
  return { events, toolOutput };
}

const tool = (name: string, input: Record<string, unknown>) => `tool ${name} ${JSON.stringify(input)}`;
const bash = (command: string) => tool('Bash', { command });
const resultOf = (turn: Turn) => turn.events.find((event) => event.type === 'tool_result') as Extract<RunEvent, { type: 'tool_result' }>;
const requestsWithPhrase = () => api.requests.filter((request) => JSON.stringify(request).includes(PHRASE)).length;

describe('the agent sandbox', () => {
  const visitorA = randomUUID();
  const conversationA = randomUUID();
  const visitorB = randomUUID();
  const conversationB = randomUUID();
  let transcriptA: string;
  let sessionA: string;
  let sessionB: string;

  beforeAll(async () => {
    await send({ visitorId: visitorA, conversationId: conversationA, text: `Remember this: ${PHRASE}` });
    sessionA = (await conversations.getConversation({ id: conversationA, visitorId: visitorA, workspace: 'shell' }))!.sdkSessionId!;
    transcriptA = path.join(dataDir, 'agents', conversationA, '.claude', 'projects', '-workspace', `${sessionA}.jsonl`);
    expect(readFileSync(transcriptA, 'utf8')).toContain(PHRASE);
    // A's run left a spare in the workspace: B's first message takes it.
    const { spareCounts } = await import('../../agents/server/agent-spares');
    await vi.waitFor(() => expect(spareCounts().shell).toBe(1), { timeout: 20_000, interval: 100 });
    const [spare] = (await import('../../agents/server/agent-pool')).idleSpares();
    await send({ visitorId: visitorB, conversationId: conversationB, text: 'hello' });
    expect(spare!.conversationId).toBe(conversationB);
    sessionB = (await conversations.getConversation({ id: conversationB, visitorId: visitorB, workspace: 'shell' }))!.sdkSessionId!;
  });

  it.each([
    ["Read of A's transcript", () => tool('Read', { file_path: transcriptA })],
    ["Read of A's transcript where it would sit inside the sandbox", () => tool('Read', { file_path: `/home/agent/.claude/projects/-workspace/${sessionA}.jsonl` })],
    ['Grep of the data root', () => tool('Grep', { pattern: PHRASE_PATTERN, path: dataDir, output_mode: 'content' })],
    ['Grep of the agent home', () => tool('Grep', { pattern: PHRASE_PATTERN, path: '/home/agent', output_mode: 'content' })],
    ["Glob of A's transcript folder", () => tool('Glob', { pattern: '*.jsonl', path: path.dirname(transcriptA) })],
    ['Glob that climbs out of the workspace', () => tool('Glob', { pattern: '../**/*.jsonl' })],
  ])("gives visitor B's %s none of A's words", async (_what, prompt) => {
    const before = requestsWithPhrase();
    const turn = await send({ visitorId: visitorB, conversationId: conversationB, text: prompt(), mode: 'plan' });
    expect(resultOf(turn)).toMatchObject({ status: 'denied', summary: expect.stringContaining('Blocked by Tether:') });
    expect(turn.toolOutput).not.toContain(PHRASE);
    expect(requestsWithPhrase()).toBe(before);
  });

  it('denies, with a card, even the calls the CLI lets through on its own (its own transcript folder)', async () => {
    // The CLI auto-allows reads of its own project folder without asking canUseTool; only the hook sees them.
    const turn = await send({ visitorId: visitorB, conversationId: conversationB, text: tool('Read', { file_path: `/home/agent/.claude/projects/-workspace/${sessionB}.jsonl` }), mode: 'plan' });
    expect(resultOf(turn)).toMatchObject({ status: 'denied', summary: expect.stringContaining('is outside this workspace') });
  });

  it.each([
    ['the memory folder', '/home/agent/.claude/projects/-workspace/memory/MEMORY.md'],
    ['the data root', path.join(dataDir, 'planted.txt')],
    ['../workspace.json', '../workspace.json'],
  ])('lets a build-mode Write to %s change nothing', async (_what, target) => {
    const configBefore = readFileSync(path.join(dataDir, 'workspaces', 'shell', 'workspace.json'), 'utf8');
    const turn = await send({ visitorId: visitorB, conversationId: conversationB, text: tool('Write', { file_path: target, content: '{"allowWeb":true}' }) });
    expect(resultOf(turn).status).toBe('denied');
    expect(existsSync(path.join(dataDir, 'agents', conversationB, '.claude', 'projects', '-workspace', 'memory'))).toBe(false);
    expect(existsSync(path.join(dataDir, 'planted.txt'))).toBe(false);
    expect(readFileSync(path.join(dataDir, 'workspaces', 'shell', 'workspace.json'), 'utf8')).toBe(configBefore);
  });

  describe('Bash', () => {
    it("can't read the server's secrets, the data root or another workspace", async () => {
      const { toolOutput } = await send({
        visitorId: visitorB,
        conversationId: conversationB,
        text: bash(
          [
            `cat ${dataDir}/session-secret ${dataDir}/vapid.json ${dataDir}/workspaces/other/files/secret.txt ${transcriptA}`,
            `ls ${dataDir} /workspaces /home/agent/.claude/projects/-workspace`,
            `grep -r '${PHRASE_PATTERN}' /home /tmp /workspace /bridge /etc 2>/dev/null | head -3`,
            'echo checked',
          ].join('; '),
        ),
      });
      expect(toolOutput).toContain('No such file or directory');
      expect(toolOutput).toContain('checked');
      for (const secret of [SESSION_SECRET, VAPID_SECRET, OTHER_SECRET, PHRASE]) expect(toolOutput).not.toContain(secret);
    });

    it('sees no API key, only a token the model API never receives', async () => {
      const { toolOutput } = await send({ visitorId: visitorB, conversationId: conversationB, text: bash('env; echo "key=$ANTHROPIC_API_KEY"') });
      expect(toolOutput).not.toContain(REAL_KEY);
      const token = toolOutput.match(/^key=(.+)$/m)?.[1];
      expect(token).toMatch(/^[\w-]{40,}$/);
      // The bridge outside swapped it for the real key on every request.
      expect(new Set(api.apiKeys)).toEqual(new Set([REAL_KEY]));
    });

    it("reaches nothing on the network but its model bridge: not the app, PostgreSQL, Redis, the model's real port or private ranges", async () => {
      const appPort = (appServer.address() as AddressInfo).port;
      const modelPort = new URL(api.url).port;
      const probe = (host: string, port: number | string) => `(echo > /dev/tcp/${host}/${port}) 2>/dev/null && echo "${host}:${port} open" || echo "${host}:${port} closed"`;
      const targets: Array<[string, number | string]> = [
        ['127.0.0.1', appPort],
        ['127.0.0.1', 5432],
        ['127.0.0.1', 6379],
        ['127.0.0.1', modelPort],
        ['10.0.0.1', 80],
        ['169.254.169.254', 80],
        ['127.0.0.1', 8081],
        ['127.0.0.1', 8080],
      ];
      const { toolOutput } = await send({ visitorId: visitorB, conversationId: conversationB, text: bash(targets.map(([host, port]) => `timeout 3 bash -c '${probe(host, port)}'`).join('; ')) });
      for (const [host, port] of targets.slice(0, -1)) expect(toolOutput).toContain(`${host}:${port} closed`);
      expect(toolOutput).toContain('127.0.0.1:8080 open'); // positive control: the bridge
    });

    it('writes only inside the workspace (and its own home and tmp), and reads and writes workspace files', async () => {
      const { toolOutput } = await send({
        visitorId: visitorB,
        conversationId: conversationB,
        text: bash(
          [
            'for target in /usr/planted /opt/claude/planted /planted /etc/planted /workspace/../planted; do touch $target 2>/dev/null && echo "wrote $target" || echo "refused $target"; done',
            'echo hello-from-the-sandbox',
            'cat notes.txt',
            'echo made-by-bash > made.txt && echo wrote-made',
          ].join('; '),
        ),
      });
      expect(toolOutput).not.toMatch(/^wrote \//m);
      expect(toolOutput.match(/^refused \//gm)).toHaveLength(5);
      expect(toolOutput).toContain('hello-from-the-sandbox');
      expect(toolOutput).toContain('shell notes');
      expect(readFileSync(path.join(shell.filesDir, 'made.txt'), 'utf8')).toBe('made-by-bash\n');
    });

    it('runs with no new privileges, no capabilities, its own PID namespace and resource limits', async () => {
      const { toolOutput } = await send({
        visitorId: visitorB,
        conversationId: conversationB,
        text: bash("grep -E '^(NoNewPrivs|CapEff)' /proc/self/status; echo \"pids=$(ls /proc | grep -c '^[0-9]')\"; grep -E 'Max (file size|open files)' /proc/self/limits"),
      });
      expect(toolOutput).toMatch(/NoNewPrivs:\s+1/);
      expect(toolOutput).toMatch(/CapEff:\s+0+\n/);
      expect(Number(toolOutput.match(/pids=(\d+)/)?.[1])).toBeLessThan(20);
      expect(toolOutput).toMatch(/Max file size\s+536870912/);
      expect(toolOutput).toMatch(/Max open files\s+1024/);
    });

    it('reaches the web only through a proxy that refuses loopback, private and metadata addresses, in a web workspace', async () => {
      // An HTTP CONNECT spoken by hand over bash's /dev/tcp: curl may not be installed.
      const connectThrough = (target: string) =>
        `exec 3<>/dev/tcp/127.0.0.1/8081 && printf 'CONNECT ${target} HTTP/1.1\\r\\nHost: ${target}\\r\\n\\r\\n' >&3 && echo "${target} -> $(head -1 <&3)"; exec 3<&-`;
      const targets = ['127.0.0.1:5432', `127.0.0.1:${(appServer.address() as AddressInfo).port}`, '10.0.0.1:443', '169.254.169.254:80', 'localhost:6379'];
      const { toolOutput } = await send({ visitorId: visitorB, conversationId: randomUUID(), workspace: web, text: bash(targets.map(connectThrough).join('; ') + '; echo "proxy=$HTTPS_PROXY"') });
      for (const target of targets) expect(toolOutput).toContain(`${target} -> HTTP/1.1 403 Forbidden`);
      expect(toolOutput).toContain('proxy=http://127.0.0.1:8081');
    });

    it("can't modify the workspace in plan mode", async () => {
      const planConversation = randomUUID();
      const { toolOutput } = await send({ visitorId: visitorB, conversationId: planConversation, mode: 'plan', text: bash('echo planned > plan.txt; rm notes.txt; cat notes.txt') });
      expect(toolOutput).toContain('Read-only file system');
      expect(existsSync(path.join(shell.filesDir, 'plan.txt'))).toBe(false);
      expect(readFileSync(path.join(shell.filesDir, 'notes.txt'), 'utf8')).toBe('shell notes\n');
    });
  });

  it('keeps history, resume and warm follow-ups working from the private transcript', async () => {
    const conversationId = randomUUID();
    await send({ visitorId: visitorA, conversationId, text: 'first words' });
    (await import('../../agents/server/agent-pool')).closeAllProcesses(); // the next turn starts cold and resumes from the transcript
    await send({ visitorId: visitorA, conversationId, text: 'second words' });
    expect(JSON.stringify(api.requests.at(-1)!.messages)).toContain('first words');
    const view = await (await import('../../runs/server/conversation-view')).conversationView({ visitorId: visitorA, workspace: shell, conversationId });
    expect(view.items.filter((item) => item.kind === 'user').map((item) => ('text' in item ? item.text : ''))).toEqual(['first words', 'second words']);
  });
});
