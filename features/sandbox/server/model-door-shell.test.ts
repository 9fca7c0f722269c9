/**
 * The model door, tried from inside the sandbox the way an abusive visitor would: the agent's
 * shell holds the same token and address as the CLI, and uses them with curl. The real SDK and
 * CLI in the real bubblewrap sandbox, against a scripted Messages API that records every call.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastToolResults, lastUserText, type MessagesApi, type Reply } from '@/lib/messages-api/server';
import { eventsUntilEnd, startAgentTestEnv } from '@/tests/fixtures/agent-env';
import type { RunEvent } from '../../runs/types';
import { costOf } from './model-prices';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-door-'));
const MODEL = 'claude-sonnet-4-5';

let api: MessagesApi;
let runs: typeof import('../../runs/server/run-manager');
let shell: import('@/features/workspaces/server').Workspace;

/** `tool <Name> <json>` makes the agent call that tool, then say "done"; "flood" streams slowly. */
function script(request: Parameters<typeof lastUserText>[0]): Reply {
  if (lastToolResults(request).length > 0) return { blocks: [{ type: 'text', text: 'done' }] };
  const prompt = lastUserText(request);
  const call = prompt.match(/^tool (\w+) (.+)$/s);
  if (call) return { blocks: [{ type: 'tool_use', name: call[1]!, input: JSON.parse(call[2]!) }] };
  if (prompt === 'flood') return { blocks: [{ type: 'text_chunks', chunks: Array.from({ length: 8 }, (_, i) => `${i} `) }], delayMs: 150 };
  return { blocks: [{ type: 'text', text: `answer to ${prompt}` }] };
}

beforeAll(async () => {
  api = await startAgentTestEnv({ responder: script, dataDir, env: { TETHER_MODELS: `${MODEL},claude-haiku-4-5` } });
  const workspaces = await import('@/features/workspaces/server');
  shell = workspaces.createWorkspace({ name: 'shell', config: { allowBash: true } });
  runs = await import('../../runs/server/run-manager');
});

afterAll(async () => {
  (await import('../../agents/server/agent-pool')).closeAllProcesses();
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

const visitorId = randomUUID();
const conversationId = randomUUID();

async function bash(command: string): Promise<{ events: RunEvent[]; output: string }> {
  const info = await runs.startRun({ visitorId, workspace: shell, conversationId, text: `tool Bash ${JSON.stringify({ command })}`, model: MODEL, mode: 'build' });
  const events = await eventsUntilEnd(runs.requireRun({ runId: info.id, visitorId, workspace: shell.name }));
  expect(events.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
  return { events, output: lastToolResults(api.requests.at(-1)!)[0]?.content ?? '' };
}

/** The `label=status` lines curl printed (the CLI appends reminders of its own to a tool's output). */
const statusLines = (output: string) => output.match(/^\w+=\d{3}$/gm) ?? [];

/** curl as the shell would, with the token it finds in its environment; prints `<label>=<status>`. */
const curl = (label: string, method: string, urlPath: string, body?: object) =>
  `curl -s -o /dev/null -w '${label}=%{http_code}\\n' -X ${method} -H "x-api-key: $ANTHROPIC_API_KEY" -H 'content-type: application/json' -H 'anthropic-version: 2023-06-01'` +
  (body ? ` -d '${JSON.stringify(body)}'` : '') +
  ` "$ANTHROPIC_BASE_URL${urlPath}"`;
const message = (model: string, content: string) => ({ model, max_tokens: 100, stream: true, messages: [{ role: 'user', content }] });

describe('the model door, from the shell', () => {
  it('refuses batches, models, files, a delete and a model the workspace does not offer with 403; the API sees none of them', async () => {
    const callsBefore = api.calls.length;
    const { output } = await bash(
      [
        curl('batches', 'POST', '/v1/messages/batches', { requests: [] }),
        curl('models', 'GET', '/v1/models'),
        curl('files', 'GET', '/v1/files'),
        curl('delete', 'DELETE', '/v1/files/file_011'),
        curl('foreign', 'POST', '/v1/messages', message('claude-opus-4-1', 'foreign')),
        curl('count', 'POST', '/v1/messages/count_tokens', { model: MODEL, messages: [{ role: 'user', content: 'count' }] }),
      ].join('; '),
    );
    expect(statusLines(output)).toEqual(['batches=403', 'models=403', 'files=403', 'delete=403', 'foreign=403', 'count=200']);
    const seen = api.calls.slice(callsBefore);
    expect(seen.filter((call) => !['POST /v1/messages', 'POST /v1/messages/count_tokens'].includes(call))).toEqual([]);
    expect(api.requests.some((request) => request.model === 'claude-opus-4-1')).toBe(false);
  });

  it("lets at most 4 of 16 parallel requests through and answers the rest 429; the run costs its usage priced by the table, the shell's calls included", async () => {
    const usagesBefore = api.usages.length;
    const { events, output } = await bash(`for i in $(seq 16); do ${curl('flood', 'POST', '/v1/messages', message(MODEL, 'flood'))} & done; wait`);
    const statuses = statusLines(output).map((line) => line.replace('flood=', ''));
    expect(statuses).toHaveLength(16);
    const through = statuses.filter((status) => status === '200').length;
    expect(through).toBeGreaterThan(0);
    expect(through).toBeLessThanOrEqual(4);
    expect(statuses.filter((status) => status === '429')).toHaveLength(16 - through);
    const floods = api.requests.slice(usagesBefore).filter((request) => lastUserText(request) === 'flood');
    expect(floods).toHaveLength(through);
    // Every answer of the run — the CLI's two turns and the shell's flood — at the table's price.
    const usages = api.usages.slice(usagesBefore);
    expect(usages.length).toBe(2 + through);
    const expected = usages.reduce(
      (sum, { model, inputTokens, outputTokens }) => sum + costOf(model, { inputTokens, outputTokens, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, cacheReadTokens: 0 }),
      0,
    );
    const end = events.at(-1) as Extract<RunEvent, { type: 'end' }>;
    expect(end.costUsd).toBeCloseTo(expected, 12);
    expect(end.outputTokens).toBe(usages.reduce((sum, usage) => sum + usage.outputTokens, 0));
    const { listRuns } = await import('../../runs/server/queries');
    const recorded = (await listRuns(conversationId)).find((run) => run.id === (events[0] as Extract<RunEvent, { type: 'start' }>).runId);
    expect(recorded?.costUsd).toBeCloseTo(expected, 9);
  });

  it('refuses a process the shell left behind once its run has ended, while the agent waits warm', async () => {
    const callsBefore = api.calls.length;
    await bash(`nohup sh -c 'sleep 2; ${curl('late', 'POST', '/v1/messages', message(MODEL, 'late')).replace(/'/g, `'"'"'`)} > /workspace/late.txt' > /dev/null 2>&1 &`);
    await expect.poll(() => readIfThere(path.join(shell.filesDir, 'late.txt')), { timeout: 15_000, interval: 250 }).toBe('late=403\n');
    expect(api.calls.length).toBe(callsBefore + 2); // the CLI's own two turns only
    expect(api.requests.some((request) => lastUserText(request) === 'late')).toBe(false);
  });
});

function readIfThere(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
