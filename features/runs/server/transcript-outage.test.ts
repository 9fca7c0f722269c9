/**
 * A database blip loses no transcript, as an operator meets it in a PostgreSQL failover: a TCP
 * relay in front of a real PostgreSQL is cut while a run streams (or exactly as it ends) and
 * restored seconds later, with the real SDK and CLI in its sandbox against the scripted
 * Messages API. The live stream is whole either way; afterwards the store, the history and the
 * run's record are too, and /api/health says degraded only while something waits.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { lastUserText, type MessagesApi, type MessagesRequest, type Reply } from '@/lib/messages-api/server';
import { eventsUntilEnd, startAgentTestEnv } from '@/tests/fixtures/agent-env';
import { scratchPostgres } from '@/tests/fixtures/scratch-services';
import { startTcpRelay, type TcpRelay } from '@/tests/fixtures/tcp-relay';
import type { RunEvent } from '../types';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-outage-'));
const visitorId = randomUUID();
/** How long the database stays away after the run ended: several retries' worth. */
const OUTAGE_AFTER_END_MS = 2000;

/** A 40-word answer, different for each round. */
const answer = (round: number) => Array.from({ length: 40 }, (_, i) => `w${i + 1}r${round}`).join(' ');

function script(request: MessagesRequest): Reply {
  // "Edit, then answer N": a Write first (so the run has Changes), then the answer.
  if (lastUserText(request).startsWith('Edit')) return { blocks: [{ type: 'tool_use', name: 'Write', input: { file_path: path.join(agentDir, 'created.txt'), content: 'new\n' } }] };
  // The latest prompt's round (after a tool result the last user message holds no text).
  const round = Number([...JSON.stringify(request.messages).matchAll(/nswer (\d+)/g)].at(-1)?.[1] ?? 0);
  return { blocks: [{ type: 'text', text: answer(round) }], delayMs: 30 };
}

let scratch: Awaited<ReturnType<typeof scratchPostgres>>;
let relay: TcpRelay;
let api: MessagesApi;
let runs: typeof import('./run-manager');
let views: typeof import('./conversation-view');
let queries: typeof import('./queries');
let store: typeof import('../../agents/server/transcript-store');
let conversations: typeof import('@/features/conversations/server');
let health: typeof import('@/app/api/health/route');
let http: typeof import('@/lib/http');
let workspace: import('@/features/workspaces/server').Workspace;
let agentDir: string;

beforeAll(async () => {
  scratch = await scratchPostgres('tether_outage');
  relay = await startTcpRelay(scratch.url);
  api = await startAgentTestEnv({ responder: script, dataDir, env: { DATABASE_URL: relay.url, TETHER_TRANSCRIPTS: 'database' } });
  workspace = (await import('@/features/workspaces/server')).createWorkspace({ name: 'outage' });
  agentDir = (await import('../../sandbox/server/agent-sandbox')).agentWorkspaceDir(workspace);
  runs = await import('./run-manager');
  views = await import('./conversation-view');
  queries = await import('./queries');
  store = await import('../../agents/server/transcript-store');
  conversations = await import('@/features/conversations/server');
  health = await import('@/app/api/health/route');
  http = await import('@/lib/http');
});

afterAll(async () => {
  (await import('../../agents/server/agent-pool')).closeAllProcesses();
  await relay?.restore();
  await api?.close();
  await (await import('@/lib/db/connection')).closeDb();
  await relay?.close();
  await scratch?.release();
});

const textOf = (events: RunEvent[]) => events.flatMap((event) => (event.type === 'text' ? [event.text] : [])).join('');
const healthNow = async () => (await (await health.GET()).json()) as { status: string; pending: { transcriptLines: number; writes: number } };
const assistantTexts = async (conversationId: string) =>
  (await views.conversationView({ visitorId, workspace, conversationId })).items.flatMap((item) => (item.kind === 'assistant' ? [item.text] : []));
const storedText = async (conversationId: string) => {
  const { sdkSessionId } = (await conversations.getConversation({ id: conversationId, visitorId, workspace: workspace.name }))!;
  return JSON.stringify(await store.databaseTranscriptStore(conversationId).load({ projectKey: '-workspace', sessionId: sdkSessionId! }));
};

/** Sends `text`; `cutWhen` sees each event and says when to cut the database off. Resolves at `end`, the database still away. */
async function sendWithCut(conversationId: string, text: string, cutWhen: (event: RunEvent, events: RunEvent[]) => boolean, mode: 'plan' | 'build' = 'plan'): Promise<RunEvent[]> {
  const info = await runs.startRun({ visitorId, workspace, conversationId, text, model: 'claude-sonnet-4-5', mode });
  const seen: RunEvent[] = [];
  let cutting: Promise<void> | undefined;
  const events = await eventsUntilEnd(runs.requireRun({ runId: info.id, visitorId, workspace: workspace.name }), (event) => {
    seen.push(event);
    if (!cutting && cutWhen(event, seen)) cutting = relay.cut();
  });
  await cutting;
  expect(cutting).toBeDefined();
  return events;
}

/** While the database is away: lines and writes wait, health says so, and a history read answers 503. */
async function expectBacklog(conversationId: string) {
  await vi.waitFor(async () => expect((await healthNow()).pending.transcriptLines).toBeGreaterThan(0), { timeout: 10_000, interval: 100 });
  expect(await healthNow()).toMatchObject({ status: 'degraded', pending: { writes: expect.any(Number) } });
  const refused = await views.conversationView({ visitorId, workspace, conversationId }).catch((error: unknown) => error);
  expect(http.errorAnswer(refused)).toMatchObject({ status: 503, body: { error: { code: 'unavailable:database' } } });
}

async function restoreAndSettle() {
  await new Promise((resolve) => setTimeout(resolve, OUTAGE_AFTER_END_MS));
  await relay.restore();
  // Health goes back to ok once everything landed: a few seconds at most (retries back off to 2 s).
  await vi.waitFor(async () => expect(await healthNow()).toEqual({ ok: true, status: 'ok', pending: { transcriptLines: 0, writes: 0 } }), { timeout: 15_000, interval: 200 });
}

describe('a database blip during a run', () => {
  it('loses no transcript: cut mid-stream five times, the history and the store have every answer after the restore', async () => {
    const conversationId = randomUUID();
    for (let round = 1; round <= 5; round++) {
      // A different moment of the stream each round: after 6, 12, … 30 of the 40 words.
      let deltas = 0;
      const events = await sendWithCut(conversationId, `Answer ${round}`, (event) => event.type === 'text' && ++deltas === round * 6);
      expect(textOf(events)).toBe(answer(round));
      expect(events.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
      await expectBacklog(conversationId);
      await restoreAndSettle();
      const expected = Array.from({ length: round }, (_, i) => answer(i + 1));
      expect(await assistantTexts(conversationId)).toEqual(expected);
      for (const text of expected) expect(await storedText(conversationId)).toContain(text);
    }
    // Each round also gave its run slot back while the database was away (two at once per
    // visitor): had that been dropped, the third round would have been refused.
    const records = await queries.listRuns(conversationId);
    expect(records.map((run) => run.status)).toEqual(Array(5).fill('completed'));
  });

  it('cut exactly as the run ends: viewers get `end` at once, and its record, cost, status and Changes land after the restore', async () => {
    const conversationId = randomUUID();
    const events = await sendWithCut(conversationId, 'Edit, then answer 9', (_event, seen) => textOf(seen) === answer(9), 'build');
    const end = events.at(-1);
    expect(end).toMatchObject({ type: 'end', status: 'completed' });
    expect(events.find((event) => event.type === 'changes')).toMatchObject({ files: [{ path: 'created.txt', added: 1, removed: 0 }] });
    expect((await healthNow()).pending.writes).toBeGreaterThan(0); // the run's end and Changes, at least
    await restoreAndSettle();
    const [record] = await queries.listRuns(conversationId);
    expect(record).toMatchObject({ status: 'completed', error: null });
    expect(record!.costUsd).toBeGreaterThan(0);
    expect(record).toMatchObject({ costUsd: end?.type === 'end' ? end.costUsd : -1, outputTokens: end?.type === 'end' ? end.outputTokens : -1 });
    expect(await (await import('@/features/changes/server')).listRunChanges(conversationId)).toMatchObject([{ runId: record!.id, files: [{ path: 'created.txt' }] }]);
    expect(await assistantTexts(conversationId)).toEqual([answer(9)]);
  });
});
