/**
 * Runs under faults, on the real Agent SDK and CLI (in its sandbox) against the scripted
 * Messages API: a model API that refuses the key or is overloaded, an agent process killed mid-run
 * or while idle, a throw on the way to starting the agent. Every run must end, and say why.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { lastUserText, type MessagesApi, type Reply } from '@/lib/messages-api/server';
import { eventsUntilEnd, startAgentTestEnv } from '@/tests/fixtures/agent-env';
import { foldRunEvent, type ChatItem } from '../../timeline/chat-items';
import type { RunEvent, RunInfo } from '../types';

const control = vi.hoisted(() => ({ failNextEndpoint: false, overloadedLeft: 0 }));

// The one seam for "a throw on the start path": the model endpoint lookup, the first await there.
vi.mock('../../sandbox/server/model-endpoint', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../sandbox/server/model-endpoint')>();
  return {
    ...original,
    modelEndpoint: async () => {
      if (control.failNextEndpoint) {
        control.failNextEndpoint = false;
        throw new Error('the endpoint lookup exploded');
      }
      return original.modelEndpoint();
    },
  };
});

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-faults-'));
let api: MessagesApi;
let runs: typeof import('./run-manager');
let workspace: import('@/features/workspaces/server').Workspace;
const visitorId = randomUUID();

function script(request: Parameters<typeof lastUserText>[0]): Reply {
  const prompt = lastUserText(request);
  if (prompt.includes('bad key')) return { error: { status: 401, type: 'authentication_error', message: 'invalid x-api-key' } };
  if (prompt.includes('busy model') && control.overloadedLeft > 0) {
    control.overloadedLeft -= 1;
    return { error: { status: 529, type: 'overloaded_error', message: 'Overloaded' } };
  }
  if (prompt.includes('slow')) return { blocks: [{ type: 'text_chunks', chunks: Array.from({ length: 300 }, (_, i) => `w${i} `) }], delayMs: 20 };
  return { blocks: [{ type: 'text', text: `You said: ${prompt}` }] };
}

beforeAll(async () => {
  // The CLI's own retries stay on here (the other tests turn them off): they are what is tested.
  api = await startAgentTestEnv({ responder: script, dataDir, env: { TETHER_AGENT_MAX_RETRIES: '10' } });
  workspace = (await import('@/features/workspaces/server')).createWorkspace({ name: 'faults' });
  runs = await import('./run-manager');
});

afterAll(async () => {
  (await import('../../agents/server/agent-pool')).closeAllProcesses();
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

function start(text: string, conversationId = randomUUID()) {
  return runs.startRun({ visitorId, workspace, conversationId, text, model: 'claude-sonnet-4-5', mode: 'build' });
}

function follow(info: RunInfo, onEvent: (event: RunEvent) => void = () => {}): Promise<RunEvent[]> {
  const run = runs.requireRun({ runId: info.id, visitorId, workspace: workspace.name });
  return eventsUntilEnd(run, onEvent);
}

const endOf = (events: RunEvent[]) => events.at(-1) as Extract<RunEvent, { type: 'end' }>;

/** The real CLI inside the conversation's sandbox: the descendant of the sandbox running /opt/claude/claude. */
function cliPid(sandboxPid: number): number {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const isDescendant = (pid: number): boolean => pid === sandboxPid || (parents.has(pid) && pid > 1 && isDescendant(parents.get(pid)!));
  const cli = [...parents.keys()].find((pid) => pid !== sandboxPid && isDescendant(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('/opt/claude/claude'));
  if (!cli) throw new Error('no CLI inside the sandbox');
  return cli;
}

describe('model API failures', () => {
  it('fails at once, with the credentials message, when the API refuses the key (the CLI would retry for minutes)', async () => {
    const info = await start('bad key please');
    const started = Date.now(); // after the start: this file's first run also opens the database
    const events = await follow(info);
    expect(events.find((event) => event.type === 'error')).toMatchObject({ code: 'model:auth', message: expect.stringContaining('Check ANTHROPIC_API_KEY') });
    expect(endOf(events).status).toBe('failed');
    // One refused request, maybe a second already under way: not ten.
    expect(api.requests.filter((request) => lastUserText(request).includes('bad key')).length).toBeLessThanOrEqual(2);
    console.info(`401 → failed in ${Date.now() - started} ms (CLI start included)`);
  });

  it('shows retry progress while the API is overloaded, then the answer replaces it', async () => {
    control.overloadedLeft = 2;
    const events = await follow(await start('busy model, answer anyway'));
    const retries = events.filter((event) => event.type === 'retry');
    expect(retries).toHaveLength(2);
    expect(retries[0]).toMatchObject({ message: expect.stringMatching(/^Model API overloaded \(529\) — retrying, attempt 1 of 10 in \d+ s$/) });
    expect(retries[1]).toMatchObject({ message: expect.stringMatching(/attempt 2 of 10/) });
    expect(endOf(events).status).toBe('completed');
    const items = events.reduce<ChatItem[]>(foldRunEvent, []);
    expect(items.some((item) => item.kind === 'retry')).toBe(false);
    expect(items.find((item) => item.kind === 'assistant')).toMatchObject({ text: 'You said: busy model, answer anyway' });
  });
});

describe('agent process faults', () => {
  it('ends a run whose CLI is killed mid-run as failed, with a message, and the next message resumes the session', async () => {
    const conversationId = randomUUID();
    await follow(await start('remember the word quince', conversationId));
    const info = await start('slow answer please', conversationId);
    const run = runs.requireRun({ runId: info.id, visitorId, workspace: workspace.name });
    let killedAt = 0;
    const events = await follow(info, (event) => {
      if (event.type === 'text' && !killedAt) {
        killedAt = Date.now();
        process.kill(cliPid(run.process!.pid!), 'SIGKILL'); // as the kernel's OOM killer would
      }
    });
    const failedAfterMs = Date.now() - killedAt;
    expect(endOf(events).status).toBe('failed');
    expect(events.find((event) => event.type === 'error')).toMatchObject({ code: 'agent:crashed', message: expect.stringContaining('was killed') });
    console.info(`SIGKILL mid-run → failed in ${failedAfterMs} ms`);

    const next = await follow(await start('what was the word?', conversationId));
    expect(endOf(next).status).toBe('completed');
    expect(JSON.stringify(api.requests.at(-1)!.messages)).toContain('remember the word quince');
  });

  it('replaces a warm process that died while idle, without a failed run', async () => {
    const conversationId = randomUUID();
    const first = await start('remember the word medlar', conversationId);
    const warm = runs.requireRun({ runId: first.id, visitorId, workspace: workspace.name });
    let pid = 0;
    await follow(first, () => (pid ||= warm.process?.pid ?? 0));
    process.kill(cliPid(pid), 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 300));

    const next = await follow(await start('and now?', conversationId));
    expect(endOf(next).status).toBe('completed');
    expect(next.some((event) => event.type === 'error')).toBe(false);
    expect(JSON.stringify(api.requests.at(-1)!.messages)).toContain('remember the word medlar');
  });

  it('fails a run that throws on its way to the agent, instead of leaving it running (and the conversation answering 409)', async () => {
    const conversationId = randomUUID();
    control.failNextEndpoint = true;
    const events = await follow(await start('hello', conversationId));
    expect(endOf(events).status).toBe('failed');
    expect(events.find((event) => event.type === 'error')).toMatchObject({ message: expect.stringContaining('the endpoint lookup exploded') });
    const again = await follow(await start('hello again', conversationId));
    expect(endOf(again).status).toBe('completed');
  });
});
