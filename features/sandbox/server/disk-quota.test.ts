/**
 * The workspace disk quota, tried the way a visitor would: the real Agent SDK and its CLI in the
 * real bubblewrap sandbox, a scripted Messages API that makes the agent's shell write 100 MB into
 * a workspace with a 64 MB quota. The write fails, the workspace stays within its quota, the run
 * says the workspace is full, and the server and another workspace carry on.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastToolResults, lastUserText, type MessagesApi, type Reply } from '@/lib/messages-api/server';
import { eventsUntilEnd, startAgentTestEnv } from '@/tests/fixtures/agent-env';
import type { RunEvent } from '../../runs/types';

const MB = 1024 * 1024;
const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-disk-quota-'));

let api: MessagesApi;
let runs: typeof import('../../runs/server/run-manager');
let small: import('@/features/workspaces/server').Workspace;
let other: import('@/features/workspaces/server').Workspace;

/** `bash <command>` makes the agent run it; after the tool result it says "done". */
function script(request: Parameters<typeof lastUserText>[0]): Reply {
  if (lastToolResults(request).length > 0) return { blocks: [{ type: 'text', text: 'done' }] };
  const command = lastUserText(request).match(/^bash (.+)$/s)?.[1];
  return { blocks: [command ? { type: 'tool_use', name: 'Bash', input: { command } } : { type: 'text', text: 'noted' }] };
}

beforeAll(async () => {
  api = await startAgentTestEnv({ responder: script, dataDir, env: { TETHER_WORKSPACE_QUOTA_MB: '128' } });
  const workspaces = await import('@/features/workspaces/server');
  small = workspaces.createWorkspace({ name: 'small', files: { 'notes.txt': 'notes\n' }, config: { allowBash: true, quotaMb: 64 } });
  other = workspaces.createWorkspace({ name: 'other', config: { allowBash: true } });
  runs = await import('../../runs/server/run-manager');
});

afterAll(async () => {
  (await import('../../agents/server/agent-pool')).closeAllProcesses();
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

async function runBash(workspace: typeof small, command: string): Promise<{ events: RunEvent[]; output: string }> {
  const visitorId = randomUUID();
  const info = await runs.startRun({ visitorId, workspace, conversationId: randomUUID(), text: `bash ${command}`, model: 'claude-sonnet-4-5', mode: 'build' });
  const events = await eventsUntilEnd(runs.requireRun({ runId: info.id, visitorId, workspace: workspace.name }));
  expect(events.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
  return { events, output: lastToolResults(api.requests.at(-1)!)[0]?.content ?? '' };
}

const notices = (events: RunEvent[]) => events.flatMap((event) => (event.type === 'notice' ? [event.message] : []));

describe('a workspace disk quota, from the shell', () => {
  it('stops a 100 MB write in a 64 MB workspace, keeps the workspace within its quota, and the run says it is full', async () => {
    expect(small.diskQuotaBytes).toBe(64 * MB);
    const { events, output } = await runBash(small, 'head -c 100M /dev/zero > big; echo "exit=$?"');
    expect(output).toContain('No space left on device');
    expect(output).toMatch(/exit=[1-9]/);
    expect(statSync(path.join(small.filesDir, 'big')).size).toBeLessThan(64 * MB);
    // What the workspace takes from the host's disk: the image's allocated blocks, at most the quota.
    const image = statSync(path.join(dataDir, 'workspaces', 'small', 'files.img'));
    expect(image.size).toBe(64 * MB);
    expect(image.blocks * 512).toBeLessThanOrEqual(64 * MB);
    expect(notices(events)).toContainEqual(expect.stringMatching(/^The workspace is full \(\d+ MB of 64 MB\): writes fail until some files are deleted\.$/));
    expect(readFileSync(path.join(small.filesDir, 'notes.txt'), 'utf8')).toBe('notes\n');
  });

  it('lets another workspace run and write meanwhile, with no notice', async () => {
    const { events, output } = await runBash(other, 'echo written > made.txt && cat made.txt');
    expect(output).toContain('written');
    expect(readFileSync(path.join(other.filesDir, 'made.txt'), 'utf8')).toBe('written\n');
    expect(notices(events)).toEqual([]);
  });

  it('lets the full workspace carry on once the agent frees room', async () => {
    const { events, output } = await runBash(small, 'rm big && echo room > after.txt && cat after.txt');
    expect(output).toContain('room');
    expect(existsSync(path.join(small.filesDir, 'big'))).toBe(false);
    expect(notices(events)).toEqual([]);
  });
});
