/**
 * A run's own cost budget (TETHER_MAX_BUDGET_USD), as the model door meters it: the real SDK and
 * CLI in the sandbox, against a scripted API whose every answer costs more than the budget.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastToolResults, lastUserText, type MessagesApi, type Reply } from '@/lib/messages-api/server';
import { eventsUntilEnd, startAgentTestEnv } from '@/tests/fixtures/agent-env';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-run-budget-'));
let api: MessagesApi;
let runs: typeof import('./run-manager');
let shell: import('@/features/workspaces/server').Workspace;

/** Asks for a command first, so the run needs a second model request after its budget is gone. */
function script(request: Parameters<typeof lastUserText>[0]): Reply {
  if (lastToolResults(request).length > 0) return { blocks: [{ type: 'text', text: 'done' }] };
  return { blocks: [{ type: 'tool_use', name: 'Bash', input: { command: 'echo hello' } }] };
}

beforeAll(async () => {
  api = await startAgentTestEnv({ responder: script, dataDir, env: { TETHER_MAX_BUDGET_USD: '0.001' } });
  shell = (await import('@/features/workspaces/server')).createWorkspace({ name: 'shell', config: { allowBash: true } });
  runs = await import('./run-manager');
});

afterAll(async () => {
  (await import('../../agents/server/agent-pool')).closeAllProcesses();
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

describe("a run's cost budget", () => {
  it('ends the run failed with a plain message once the door has metered the budget, and the door refuses the rest', async () => {
    const visitorId = randomUUID();
    const info = await runs.startRun({ visitorId, workspace: shell, conversationId: randomUUID(), text: 'run it', model: 'claude-sonnet-4-5', mode: 'build' });
    const events = await eventsUntilEnd(runs.requireRun({ runId: info.id, visitorId, workspace: shell.name }));
    expect(events.at(-1)).toMatchObject({ type: 'end', status: 'failed' });
    expect(events).toContainEqual(expect.objectContaining({ type: 'error', code: 'limit:budget', message: 'This run reached its cost budget ($0.0010) and was stopped.' }));
    // The first answer alone costs more than the budget: nothing after it reached the API.
    expect(api.requests).toHaveLength(1);
    expect((events.at(-1) as { costUsd: number }).costUsd).toBeGreaterThan(0.001);
  });
});
