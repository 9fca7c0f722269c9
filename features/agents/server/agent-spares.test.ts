/**
 * Pre-warmed agents with the real SDK and CLI in the real bubblewrap sandbox, against the scripted
 * Messages API: a new conversation's first message is answered by a spare (no CLI starts on send),
 * the spare's home and transcript become that conversation's alone, another model or mode starts
 * cold, a real run ends a spare for its slot, and an idle workspace's spares end. Three slots.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lastToolResults, lastUserText, type MessagesApi, type Reply } from '@/lib/messages-api/server';
import { eventsUntilEnd, startAgentTestEnv } from '@/tests/fixtures/agent-env';
import type { AgentMode, RunEvent } from '../../runs/types';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-spares-'));
const PHRASE = 'PHRASE-OF-THE-POOLED-ONE-91d2';
const PHRASE_PATTERN = 'PHRASE-OF-THE-POOLED-ONE-91d[2]';
const MAX_PROCESSES = 3;

let api: MessagesApi;
let runs: typeof import('../../runs/server/run-manager');
let pool: typeof import('./agent-pool');
let spares: typeof import('./agent-spares');
let workspace: import('@/features/workspaces/server').Workspace;
let mostProcesses = 0;
let sampler: NodeJS.Timeout;

/** `tool <Name> <json input>` makes the agent call that tool; after a tool result it says "done". */
function script(request: Parameters<typeof lastUserText>[0]): Reply {
  if (lastToolResults(request).length > 0) return { blocks: [{ type: 'text', text: 'done' }] };
  const call = lastUserText(request).match(/^tool (\w+) (.+)$/s);
  if (call) return { blocks: [{ type: 'tool_use', name: call[1]!, input: JSON.parse(call[2]!) }] };
  return { blocks: [{ type: 'text', text: 'noted' }] };
}

beforeAll(async () => {
  api = await startAgentTestEnv({
    responder: script,
    dataDir,
    env: { TETHER_PREWARMED_AGENTS: '1', TETHER_PREWARM_IDLE_MINUTES: '0.2', TETHER_MAX_AGENT_PROCESSES: String(MAX_PROCESSES), TETHER_RUNS_AT_ONCE_PER_VISITOR: '10' },
  });
  workspace = (await import('@/features/workspaces/server')).createWorkspace({ name: 'spares', files: { 'notes.txt': 'notes\n' }, config: { allowBash: true } });
  runs = await import('../../runs/server/run-manager');
  pool = await import('./agent-pool');
  spares = await import('./agent-spares');
  sampler = setInterval(() => (mostProcesses = Math.max(mostProcesses, pool.poolStats().processes)), 20);
});

afterAll(async () => {
  clearInterval(sampler);
  pool.closeAllProcesses();
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

type Sent = { events: RunEvent[]; pid: number; toolOutput: string };

async function send({
  conversationId = randomUUID(),
  text = 'hello',
  model = 'claude-sonnet-4-5',
  mode = 'build',
  visitorId = randomUUID(),
}: { conversationId?: string; text?: string; model?: string; mode?: AgentMode; visitorId?: string } = {}): Promise<Sent> {
  const info = await runs.startRun({ visitorId, workspace, conversationId, text, model, mode });
  const run = runs.requireRun({ runId: info.id, visitorId, workspace: workspace.name });
  let pid = 0;
  const events = await eventsUntilEnd(run, () => (pid ||= run.process?.pid ?? 0));
  expect(events.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
  const toolOutput = events.some((event) => event.type === 'tool') ? (lastToolResults(api.requests.at(-1)!)[0]?.content ?? '') : '';
  return { events, pid, toolOutput };
}

/** The CLIs this test started: descendants of this process running the agent's binary in a sandbox. */
function cliPids(): Set<number> {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const ours = (pid: number): boolean => pid === process.pid || (pid > 1 && parents.has(pid) && ours(parents.get(pid)!));
  const cli = (pid: number) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('/opt/claude/claude');
    } catch {
      return false;
    }
  };
  return new Set([...parents.keys()].filter((pid) => pid !== process.pid && ours(pid) && cli(pid)));
}

/** Waits until the workspace has its spare, and its CLI runs in its sandbox; resolves with that spare. */
async function spareReady(): Promise<import('./agent-process').AgentProcess> {
  await expect.poll(() => spares.spareCounts()[workspace.name], { timeout: 20_000, interval: 100 }).toBe(1);
  const spare = pool.idleSpares()[0]!;
  await expect.poll(() => pool.poolStats().processes === cliPids().size, { timeout: 20_000, interval: 100 }).toBe(true);
  return spare;
}

const outcomes = async () => (await (await import('@/features/metrics/server/registry')).scrapedRegistry().getSingleMetric('tether_agent_prewarm_total')!.get()).values;
const countOf = async (outcome: string) => (await outcomes()).find((value) => value.labels.outcome === outcome)?.value ?? 0;
const sessionOf = async (conversationId: string, visitorId: string) =>
  (await (await import('@/features/conversations/server')).getConversation({ id: conversationId, visitorId, workspace: workspace.name }))!.sdkSessionId!;
const tool = (name: string, input: Record<string, unknown>) => `tool ${name} ${JSON.stringify(input)}`;

describe('pre-warmed agents', () => {
  const pooled = { conversationId: randomUUID(), visitorId: randomUUID() };
  let pooledTranscript: string;

  beforeAll(async () => {
    // The workspace's first run starts cold (nothing is pre-warmed for a workspace nobody used) and leaves a spare.
    const misses = await countOf('miss');
    await send();
    expect(await countOf('miss')).toBe(misses + 1);
  });

  it("answers a new conversation's first message with the spare: no CLI starts on send", async () => {
    const spare = await spareReady();
    const before = cliPids();
    let during: Set<number> | undefined;
    const info = await runs.startRun({ ...pooled, workspace, text: `Remember this: ${PHRASE}`, model: 'claude-sonnet-4-5', mode: 'build' });
    const run = runs.requireRun({ runId: info.id, visitorId: pooled.visitorId, workspace: workspace.name });
    const events = await eventsUntilEnd(run, (event) => event.type === 'text' && (during ??= cliPids()));
    expect(events.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
    expect(events.find((event) => event.type === 'text')).toMatchObject({ text: 'noted' });
    expect([...during!].every((pid) => before.has(pid))).toBe(true);
    expect(await countOf('hit')).toBe(1);
    // The spare is the conversation's warm process now; its home moved to the conversation's.
    expect(spare.conversationId).toBe(pooled.conversationId);
    expect(spare.spare).toBe(false);
    pooledTranscript = path.join(dataDir, 'agents', pooled.conversationId, '.claude', 'projects', '-workspace', `${await sessionOf(pooled.conversationId, pooled.visitorId)}.jsonl`);
    expect(readFileSync(pooledTranscript, 'utf8')).toContain(PHRASE);
    const follow = await send({ ...pooled, text: 'and again' });
    expect(follow.pid).toBe(spare.pid);
  });

  it("keeps the pooled conversation's transcript and home from another conversation's agent (itself a spare)", async () => {
    const spare = await spareReady();
    // What a waiting spare's home holds: the CLI's start-up files, nothing of any conversation.
    const spareHome = path.join(dataDir, 'agent-spares', String(process.pid), spare.conversationId);
    expect(JSON.stringify(readdirSync(spareHome, { recursive: true }))).not.toMatch(/\.jsonl/);
    const other = { conversationId: randomUUID(), visitorId: randomUUID() };
    const session = await sessionOf(pooled.conversationId, pooled.visitorId);
    const hitsBefore = await countOf('hit');
    const attempts = [
      tool('Read', { file_path: pooledTranscript }),
      tool('Read', { file_path: `/home/agent/.claude/projects/-workspace/${session}.jsonl` }),
      tool('Grep', { pattern: PHRASE_PATTERN, path: '/home/agent', output_mode: 'content' }),
      tool('Bash', {
        command: `cat ${pooledTranscript}; ls ${dataDir} ${dataDir}/agent-spares /home/agent/.claude/projects/-workspace; grep -r '${PHRASE_PATTERN}' /home /tmp /workspace 2>/dev/null | head -3; echo checked`,
      }),
    ];
    for (const [index, text] of attempts.entries()) {
      const requests = api.requests.filter((request) => JSON.stringify(request).includes(PHRASE)).length;
      const { toolOutput } = await send({ ...other, text });
      if (index === 0) expect(await countOf('hit')).toBe(hitsBefore + 1); // this conversation, too, took a spare
      expect(toolOutput).not.toContain(PHRASE);
      expect(api.requests.filter((request) => JSON.stringify(request).includes(PHRASE)).length).toBe(requests);
      if (text.startsWith('tool Bash')) expect(toolOutput).toContain('checked');
    }
    expect(existsSync(spareHome)).toBe(false);
    expect(JSON.stringify(readdirSync(path.join(dataDir, 'agents', other.conversationId), { recursive: true }))).not.toContain(session);
  });

  it('starts another model or mode cold, and ends a spare (not a warm agent) when a run needs its slot', async () => {
    pool.closeAllProcesses();
    await send(); // a warm one, and a spare after it
    const spare = await spareReady();
    const warm = pool.poolStats().processes;
    expect(warm).toBe(2);
    const fallbacks = await countOf('fallback');

    const before = cliPids();
    const haiku = await send({ model: 'claude-haiku-4-5' });
    expect(before.has(haiku.pid)).toBe(false);
    expect(await countOf('fallback')).toBe(fallbacks + 1);
    expect(pool.idleSpares()).toEqual([spare]); // untouched, and the pool is full now
    expect(pool.poolStats().processes).toBe(MAX_PROCESSES);

    const plan = await send({ mode: 'plan' });
    expect(await countOf('fallback')).toBe(fallbacks + 2);
    expect(pool.idleSpares()).toEqual([]);
    expect(plan.pid).not.toBe(spare.pid);
    expect(pool.poolStats().processes).toBe(MAX_PROCESSES);
  });

  it("ends an idle workspace's spares, and never holds more processes than its slots", async () => {
    pool.closeAllProcesses();
    await send();
    await spareReady();
    await expect.poll(() => spares.spareCounts()[workspace.name] ?? 0, { timeout: 40_000, interval: 250 }).toBe(0);
    expect(pool.poolStats().processes).toBe(1); // the conversation's own warm agent stays
    expect(mostProcesses).toBeLessThanOrEqual(MAX_PROCESSES);
  });
});

beforeEach(() => {
  expect(pool.poolStats().processes).toBeLessThanOrEqual(MAX_PROCESSES);
});
