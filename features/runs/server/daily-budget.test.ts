/**
 * A visitor's daily budget, as the model door meters it: the real SDK and CLI in the sandbox,
 * against a scripted API whose answers cost ~$0.003 each at the table's Sonnet price.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastToolResults, lastUserText, type MessagesApi, type Reply } from '@/lib/messages-api/server';
import { eventsUntilEnd, startAgentTestEnv } from '@/tests/fixtures/agent-env';
import type { RunEvent } from '../types';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-daily-budget-'));
const BUDGET = 0.004;
let api: MessagesApi;
let runs: typeof import('./run-manager');
let shell: import('@/features/workspaces/server').Workspace;

/** "command" asks for a command that takes a second, so the run needs a second request; anything else is answered at once. */
function script(request: Parameters<typeof lastUserText>[0]): Reply {
  if (lastToolResults(request).length > 0) return { blocks: [{ type: 'text', text: 'done' }] };
  if (lastUserText(request) === 'command') return { blocks: [{ type: 'tool_use', name: 'Bash', input: { command: 'sleep 1; echo hello' } }] };
  return { blocks: [{ type: 'text', text: 'hello' }] };
}

beforeAll(async () => {
  api = await startAgentTestEnv({ responder: script, dataDir, env: { TETHER_BUDGET_USD_PER_VISITOR_PER_DAY: String(BUDGET) } });
  shell = (await import('@/features/workspaces/server')).createWorkspace({ name: 'shell', config: { allowBash: true } });
  runs = await import('./run-manager');
});

afterAll(async () => {
  (await import('../../agents/server/agent-pool')).closeAllProcesses();
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

describe("a visitor's daily budget", () => {
  const visitorId = randomUUID();
  const conversationId = randomUUID();
  const send = (text: string) => runs.startRun({ visitorId, workspace: shell, conversationId, text, model: 'claude-sonnet-4-5', mode: 'build' });
  const endOf = (events: RunEvent[]) => events.at(-1) as Extract<RunEvent, { type: 'end' }>;

  it('lets a run within it complete, ends the run that uses it up failed with the message, and answers the next send 429 with Retry-After', async () => {
    const first = await eventsUntilEnd(runs.requireRun({ runId: (await send('hi')).id, visitorId, workspace: shell.name }));
    expect(endOf(first)).toMatchObject({ status: 'completed' });
    expect(endOf(first).costUsd).toBeLessThan(BUDGET);

    const requestsBefore = api.requests.length;
    const second = await eventsUntilEnd(runs.requireRun({ runId: (await send('command')).id, visitorId, workspace: shell.name }));
    expect(endOf(second)).toMatchObject({ status: 'failed' });
    expect(second).toContainEqual(
      expect.objectContaining({ type: 'error', code: 'limit:budget', message: expect.stringMatching(/^You have used today.s budget \(\$0\.0040\)\. It frees up in .+\.$/) }),
    );
    // The tool call's answer went through; the door refused the request after it.
    expect(api.requests.length - requestsBefore).toBe(1);
    expect(endOf(first).costUsd! + endOf(second).costUsd!).toBeGreaterThanOrEqual(BUDGET);

    await expect(send('again')).rejects.toMatchObject({ status: 429, code: 'rate_limited:budget_visitor', retryAfterSeconds: expect.any(Number) });
    // Another visitor in the same workspace has a budget of their own.
    const other = randomUUID();
    const info = await runs.startRun({ visitorId: other, workspace: shell, conversationId: randomUUID(), text: 'hi', model: 'claude-sonnet-4-5', mode: 'build' });
    expect(endOf(await eventsUntilEnd(runs.requireRun({ runId: info.id, visitorId: other, workspace: shell.name })))).toMatchObject({ status: 'completed' });
  });
});
