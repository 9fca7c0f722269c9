/**
 * What a workspace's snapshot store keeps, on the real git and database: a deleted or expired
 * conversation's runs lose their refs, and git's gc then their objects (once past the expiry that
 * protects another instance's snapshot in flight); past the store's bound the oldest ended runs
 * go first, and their Undo says it can't; a run in progress is never pruned.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Workspace } from '@/features/workspaces/server';

let workspaces: typeof import('@/features/workspaces/server');
let conversations: typeof import('@/features/conversations/server');
let changes: typeof import('../server');
let prune: typeof import('./prune');
let queries: typeof import('./queries');
let call: <T>(fn: string, args: Record<string, unknown>) => Promise<T>;
const visitorId = randomUUID();
const KIB = 1024;

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-prune-'));
  // A store of 1 MiB at most; git deletes what no ref holds once it is 10 s old.
  Object.assign(process.env, { TETHER_DATA_DIR: dataDir, LOG_LEVEL: 'error', TETHER_WORKSPACE_QUOTA_MB: '0', TETHER_SNAPSHOT_STORE_MB: '1', TETHER_SNAPSHOT_TIMEOUT_SECONDS: '5' });
  workspaces = await import('@/features/workspaces/server');
  conversations = await import('@/features/conversations/server');
  changes = await import('../server');
  prune = await import('./prune');
  queries = await import('./queries');
  const database = await (await import('@/lib/db/connection')).db();
  call = (fn, args) => database.call(fn, args);
  prune.pruneDeletedConversations();
});

async function conversation(workspace: Workspace, ttlSeconds = 3600): Promise<string> {
  const id = randomUUID();
  await call('open_conversation', { p_id: id, p_visitor_id: visitorId, p_workspace: workspace.name, p_title: 'prune', p_ttl_seconds: ttlSeconds });
  return id;
}

/** A run as the run manager has one: recorded, its before taken, then `work`, and (unless held) its end. */
async function startRun(workspace: Workspace, conversationId: string) {
  const runId = randomUUID();
  await call('start_run', { p_id: runId, p_conversation_id: conversationId, p_model: 'claude-sonnet-4-5', p_mode: 'build', p_owner: null });
  const snapshots = new changes.RunSnapshots(workspace, runId, async (moment, snapshot) => void (await queries.recordRunSnapshot(runId, moment, snapshot)));
  await snapshots.takeBefore();
  const end = async () => {
    const { changes: files, problem } = await snapshots.changesAtEnd();
    expect(problem).toBeNull();
    await queries.recordRunChanges(runId, files);
    await call('finish_run', { p_id: runId, p_status: 'completed', p_cost_usd: null, p_input_tokens: null, p_output_tokens: null, p_duration_ms: null, p_error: null });
  };
  return { runId, snapshots, end };
}

async function run(workspace: Workspace, conversationId: string, work: () => void): Promise<string> {
  const started = await startRun(workspace, conversationId);
  work();
  await started.end();
  return started.runId;
}

const git = (workspace: Workspace, args: string[], input = '') =>
  execFileSync('git', args, { input, env: { ...process.env, GIT_DIR: workspaces.snapshotsGitDir(workspace), GIT_CONFIG_GLOBAL: '/dev/null' } })
    .toString('utf8')
    .trim();
const refsOf = (workspace: Workspace) => git(workspace, ['for-each-ref', '--format=%(refname)', 'refs/tether/runs/']).split('\n').filter(Boolean);
const runsWithRefs = (workspace: Workspace) => new Set(refsOf(workspace).map((ref) => ref.split('/')[3]));
const hasObject = (workspace: Workspace, id: string) => {
  try {
    git(workspace, ['cat-file', '-e', id]);
    return true;
  } catch {
    return false;
  }
};

/** As if `seconds` had passed for everything in the store's objects (what git's expiry reads). */
function age(workspace: Workspace, seconds: number) {
  const objects = path.join(workspaces.snapshotsGitDir(workspace), 'objects');
  const then = Date.now() / 1000 - seconds;
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      utimesSync(full, then, then);
    }
  };
  walk(objects);
}

describe("a workspace's snapshot store", () => {
  it("drops a deleted conversation's runs' refs, and git's gc its objects once past the expiry", async () => {
    const workspace = workspaces.createWorkspace({ name: 'deleted', files: { 'a.txt': 'a\n' } });
    const file = path.join(workspace.filesDir, 'secret.txt');
    const deleted = await conversation(workspace);
    const gone = await run(workspace, deleted, () => writeFileSync(file, `only this run wrote ${randomUUID()}\n`));
    const blob = git(workspace, ['rev-parse', `refs/tether/runs/${gone}/after:secret.txt`]);
    rmSync(file); // by hand: no later snapshot holds it
    const kept = await run(workspace, await conversation(workspace), () => writeFileSync(path.join(workspace.filesDir, 'a.txt'), 'b\n'));
    expect(runsWithRefs(workspace)).toEqual(new Set([gone, kept]));

    await conversations.deleteConversationsForGood({ visitorId, workspace: workspace.name, ids: [deleted] });
    await prune.sweepSnapshots(workspace.name); // the one the deletion asked for, or one after it
    expect(runsWithRefs(workspace)).toEqual(new Set([kept]));
    // Fresh, the blob stays: it could be another instance's snapshot not yet pinned by its ref.
    expect(hasObject(workspace, blob)).toBe(true);
    age(workspace, 3600);
    const justWritten = git(workspace, ['hash-object', '-w', '--stdin'], `another snapshot's ${randomUUID()}\n`);
    await changes.sweepSnapshotStores();
    expect(hasObject(workspace, blob)).toBe(false);
    expect(hasObject(workspace, justWritten)).toBe(true);
    // What the kept run needs is all still there.
    expect(git(workspace, ['rev-list', '--objects', `refs/tether/runs/${kept}/before`, `refs/tether/runs/${kept}/after`]).length).toBeGreaterThan(0);
  });

  it("drops an expired conversation's runs' refs at the next sweep", async () => {
    const workspace = workspaces.createWorkspace({ name: 'expired', files: { 'a.txt': 'a\n' } });
    // Long enough for the runs below to end before it, however busy the machine (each run's end sweeps too).
    const lasting = await run(workspace, await conversation(workspace), () => writeFileSync(path.join(workspace.filesDir, 'a.txt'), 'c\n'));
    const expires = Date.now() + 5000;
    const expiring = await run(workspace, await conversation(workspace, 5), () => writeFileSync(path.join(workspace.filesDir, 'a.txt'), 'b\n'));
    expect(runsWithRefs(workspace)).toEqual(new Set([expiring, lasting]));
    await new Promise((resolve) => setTimeout(resolve, expires + 100 - Date.now()));
    // The server's purge timer: no purge first (that it deletes the rows is the database's), only the sweep.
    await changes.sweepSnapshotStores();
    expect(runsWithRefs(workspace)).toEqual(new Set([lasting]));
  });

  it('past its bound drops the oldest ended runs first, keeps a run in progress, and Undo of a dropped run says it can’t', async () => {
    const workspace = workspaces.createWorkspace({ name: 'bounded' });
    const data = path.join(workspace.filesDir, 'data.bin');
    writeFileSync(data, randomBytes(220 * KIB));
    // The oldest run of all, still running: its before (220 KiB) stays however full the store is.
    const running = await startRun(workspace, await conversation(workspace));
    const ended: string[] = [];
    const conversationId = await conversation(workspace);
    // Each run writes 220 KiB that compress to nothing: run k's snapshots hold contents k-1 and k.
    for (let index = 0; index < 5; index++) ended.push(await run(workspace, conversationId, () => writeFileSync(data, randomBytes(220 * KIB))));
    await prune.sweepSnapshots(workspace.name);
    // 1 MiB holds the running run's before and the last two runs' three contents (880 KiB), not a fourth.
    expect(runsWithRefs(workspace)).toEqual(new Set([running.runId, ...ended.slice(3)]));

    const undo = (runId: string) => changes.undoRunChanges({ runId, visitorId, workspace });
    await expect(undo(ended[0]!)).rejects.toMatchObject({ code: 'conflict:snapshot_gone', message: expect.stringContaining('no longer kept') });
    expect(await undo(ended[4]!)).toEqual({ runId: ended[4], paths: ['data.bin'] });
  });

  it('keeps a run in progress whose conversation is deleted, until it ends', async () => {
    const workspace = workspaces.createWorkspace({ name: 'in-progress', files: { 'a.txt': 'a\n' } });
    const conversationId = await conversation(workspace);
    const started = await startRun(workspace, conversationId);
    await conversations.deleteConversationsForGood({ visitorId, workspace: workspace.name, ids: [conversationId] });
    await prune.sweepSnapshots(workspace.name);
    expect(runsWithRefs(workspace)).toEqual(new Set([started.runId]));
    // Ended (its after can't be kept with a record that went with the conversation), nothing keeps it.
    writeFileSync(path.join(workspace.filesDir, 'a.txt'), 'b\n');
    expect((await started.snapshots.changesAtEnd()).problem).toMatch(/could not be worked out/);
    await prune.sweepSnapshots(workspace.name);
    expect(refsOf(workspace)).toEqual([]);
  });
});
