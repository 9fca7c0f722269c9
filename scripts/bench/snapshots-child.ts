/**
 * The snapshots benchmark's process (see snapshots.ts): workspaces, a database and a run manager
 * of its own, with a scripted Messages API. The workspaces take turns at every step, so a change
 * in the machine's load falls on all of them alike. Writes `log …` lines, then one `result {json}`.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Workspace } from '@/features/workspaces/server';
import { median, mib, ms } from './stats';

export const snapshotsSetup = { first: 11, repeated: 100, coldRuns: 8, sourceFiles: 1000, ignoredFiles: 9000, editedPerRun: 3, addedPerRun: 1 };

type Samples = { first: number[]; before: number[]; after: number[]; upkeep: number[] };
export type Side = { label: string; kept: number; samples: Samples; storeBytes: number; deletionSweepMs: number; cold: { with: number[]; without: number[]; beforeInRun: number[] } };
/** One git command's start and exit from this process (the server's: forking it costs more the larger it is). */
export type Spawn = { ms: number[]; rssBytes: number };
export type SnapshotsResult = { sides: Side[]; spawn: Spawn };

/** 10,000 files of source-like text (~1.5 KiB each): 1,000 under src/, 9,000 under node_modules/. */
function tenThousandFiles(filesDir: string) {
  const body = (i: number) => `export function value${i}(input: number): number {\n  return input * ${i} + ${i % 7};\n}\n`.repeat(16);
  const put = (relative: string, content: string) => {
    mkdirSync(path.dirname(path.join(filesDir, relative)), { recursive: true });
    writeFileSync(path.join(filesDir, relative), content);
  };
  for (let i = 0; i < snapshotsSetup.sourceFiles; i++) put(`src/m${i % 50}/f${i}.ts`, body(i));
  for (let i = 0; i < snapshotsSetup.ignoredFiles; i++) put(`node_modules/pkg${i % 300}/lib/f${i}.js`, body(i).replace(/export function/g, 'function'));
}

async function main() {
  const { startMessagesApi } = await import('@/lib/messages-api/server');
  const api = await startMessagesApi({ responder: () => ({ blocks: [{ type: 'text', text: 'Hello from the bench model, in a few words.' }] }) });
  Object.assign(process.env, {
    TETHER_DATA_DIR: process.env.BENCH_DATA_DIR,
    ANTHROPIC_API_KEY: 'bench',
    ANTHROPIC_BASE_URL: api.url,
    TETHER_AGENT_MAX_RETRIES: '0',
    TETHER_WARM_IDLE_SECONDS: '0', // every run starts its own CLI: cold
    TETHER_RUNS_PER_VISITOR_PER_HOUR: '100000',
    TETHER_CONVERSATIONS_PER_VISITOR_PER_DAY: '100000',
    TETHER_RUNS_AT_ONCE_PER_VISITOR: '100',
    TETHER_DISK_RESERVE_MB: '100',
    LOG_LEVEL: 'error',
  });
  const say = (line: string) => process.stdout.write(`log ${line}\n`);
  const { createWorkspace, ensureDemoWorkspace, snapshotsGitDir } = await import('@/features/workspaces/server');
  const { RunSnapshots, recordRunSnapshot, pruneDeletedConversations } = await import('@/features/changes/server');
  const { snapshotSweepsSettled } = await import('@/features/changes/server/prune');
  const { storeBytes } = await import('@/features/changes/server/store');
  const { runGit } = await import('@/lib/git');
  const { deleteConversationsForGood } = await import('@/features/conversations/server');
  const runs = await import('@/features/runs/server/run-manager');
  const database = await (await import('@/lib/db/connection')).db();
  pruneDeletedConversations();
  const visitorId = randomUUID();

  // Without snapshots: the run manager's calls to them do nothing (no setting turns them off).
  const proto = RunSnapshots.prototype;
  const real = { takeBefore: proto.takeBefore, changesAtEnd: proto.changesAtEnd };
  let snapshotsOn = true;
  let beforeInRun: number[] = [];
  proto.takeBefore = async function (this: InstanceType<typeof RunSnapshots>) {
    if (!snapshotsOn) return;
    const started = performance.now();
    await real.takeBefore.call(this);
    beforeInRun.push(performance.now() - started);
  };
  proto.changesAtEnd = async function (this: InstanceType<typeof RunSnapshots>) {
    return snapshotsOn ? real.changesAtEnd.call(this) : { changes: [], problem: null };
  };

  const tenK = (name: string, config: { snapshotIgnore?: string[] }) => {
    const workspace = createWorkspace({ name, config: { allowBash: true, ...config } });
    tenThousandFiles(workspace.filesDir);
    return workspace;
  };
  const sources = ['src/m1/f1.ts', 'src/m2/f2.ts', 'src/m3/f3.ts'];
  const targets = [
    { label: 'demo', workspace: ensureDemoWorkspace(), edited: ['README.md', 'notes/todo.md', 'src/greet.ts'] },
    { label: '1,000 files + 9,000 in `node_modules/` (ignored)', workspace: tenK('ten-k-ignored', {}), edited: sources },
    { label: 'the same 10,000, all kept', workspace: tenK('ten-k-kept', { snapshotIgnore: [] }), edited: sources },
  ].map((target) => ({ ...target, conversationId: randomUUID(), samples: { first: [], before: [], after: [], upkeep: [] } as Samples }));
  for (const { workspace, conversationId } of targets) {
    await database.call('open_conversation', { p_id: conversationId, p_visitor_id: visitorId, p_workspace: workspace.name, p_title: 'bench', p_ttl_seconds: 86_400 });
  }
  /** A run as the run manager has one, without an agent: its record, its snapshots, its end. */
  const runOnce = async ({ workspace, conversationId }: { workspace: Workspace; conversationId: string }, work: (snapshots: InstanceType<typeof RunSnapshots>) => Promise<void>) => {
    const runId = randomUUID();
    await database.call('start_run', { p_id: runId, p_conversation_id: conversationId, p_model: 'claude-sonnet-4-5', p_mode: 'build', p_owner: null });
    await work(new RunSnapshots(workspace, runId, async (moment, snapshot) => void (await recordRunSnapshot(runId, moment, snapshot))));
    await database.call('finish_run', { p_id: runId, p_status: 'completed', p_cost_usd: null, p_input_tokens: null, p_output_tokens: null, p_duration_ms: null, p_error: null });
  };
  const timed = async (into: number[], work: () => Promise<unknown>) => {
    const started = performance.now();
    await work();
    into.push(performance.now() - started);
  };

  for (let rep = 0; rep < snapshotsSetup.first; rep++) {
    for (const target of targets) {
      rmSync(snapshotsGitDir(target.workspace), { recursive: true, force: true });
      await runOnce(target, async (snapshots) => {
        await timed(target.samples.first, () => snapshots.takeBefore());
        await snapshots.changesAtEnd();
        await snapshotSweepsSettled(target.workspace.name);
      });
    }
  }
  const kept = targets.map(({ workspace }) => {
    const env = { ...process.env, GIT_DIR: snapshotsGitDir(workspace), GIT_WORK_TREE: workspace.filesDir };
    return (
      execFileSync('git', ['ls-files', '-z'], { env, maxBuffer: 64 * 1024 * 1024 })
        .toString('utf8')
        .split('\0').length - 1
    );
  });
  say(`first snapshot p50: ${targets.map((target) => ms(median(target.samples.first))).join(', ')}`);

  for (let rep = 0; rep < snapshotsSetup.repeated; rep++) {
    for (const target of targets) {
      const { workspace, edited, samples } = target;
      await runOnce(target, async (snapshots) => {
        await timed(samples.before, () => snapshots.takeBefore());
        for (const file of edited) writeFileSync(path.join(workspace.filesDir, file), `// run ${rep}\n`, { flag: 'a' });
        writeFileSync(path.join(workspace.filesDir, `bench-run-${rep}.txt`), `added by run ${rep}\n`);
        await timed(samples.after, () => snapshots.changesAtEnd());
        await timed(samples.upkeep, () => snapshotSweepsSettled(workspace.name));
      });
    }
  }
  const stores = await Promise.all(targets.map(({ workspace }) => storeBytes({ gitDir: snapshotsGitDir(workspace), workTree: workspace.filesDir }, Date.now() + 60_000)));
  say(`before p50: ${targets.map((target) => ms(median(target.samples.before))).join(', ')}; stores ${stores.map(mib).join(', ')}`);

  // Cold runs: with and without snapshots in turn, the order swapped every round, after one untimed round.
  const cold = targets.map(() => ({ with: [] as number[], without: [] as number[], beforeInRun: [] as number[] }));
  for (let rep = 0; rep <= snapshotsSetup.coldRuns; rep++) {
    for (const [index, { workspace }] of targets.entries()) {
      for (const on of rep % 2 === 0 ? [true, false] : [false, true]) {
        snapshotsOn = on;
        beforeInRun = [];
        const started = performance.now();
        const info = await runs.startRun({ visitorId, workspace, conversationId: randomUUID(), text: 'hello', model: 'claude-sonnet-4-5', mode: 'build' });
        const firstToken = await new Promise<number>((resolve) => {
          let first = Number.NaN;
          runs.requireRun({ runId: info.id, visitorId, workspace: workspace.name }).subscribe(0, (event) => {
            if (event.type === 'text' && Number.isNaN(first)) first = performance.now() - started;
            if (event.type === 'end') resolve(first);
          });
        });
        await snapshotSweepsSettled(workspace.name); // its upkeep does not spill into the next run
        if (rep === 0) continue;
        (on ? cold[index]!.with : cold[index]!.without).push(firstToken);
        if (on) cold[index]!.beforeInRun.push(...beforeInRun);
      }
    }
  }
  snapshotsOn = true;
  say(`first token with / without: ${cold.map((side) => `${ms(median(side.with))} / ${ms(median(side.without))}`).join(', ')}`);

  const sides: Side[] = [];
  for (const [index, { label, workspace, conversationId, samples }] of targets.entries()) {
    const started = performance.now();
    await deleteConversationsForGood({ visitorId, workspace: workspace.name, ids: [conversationId] });
    await snapshotSweepsSettled(workspace.name);
    sides.push({ label, kept: kept[index]!, samples, storeBytes: stores[index]!, deletionSweepMs: performance.now() - started, cold: cold[index]! });
  }
  const gitSpawn: Spawn = { ms: [], rssBytes: process.memoryUsage().rss };
  const demo = { gitDir: snapshotsGitDir(targets[0]!.workspace), workTree: targets[0]!.workspace.filesDir };
  for (let rep = 0; rep < snapshotsSetup.repeated; rep++) await timed(gitSpawn.ms, () => runGit(demo, ['rev-parse', '--git-dir'], { deadline: Date.now() + 60_000 }));
  process.stdout.write(`result ${JSON.stringify({ sides, spawn: gitSpawn } satisfies SnapshotsResult)}\n`);
  (await import('@/features/agents/server/agent-pool')).closeAllProcesses();
  await (await import('@/lib/db/connection')).closeDb();
  await api.close();
  (await import('@/lib/mounts')).unmountMadeHere();
  process.exit(0);
}

if (process.argv[1] === import.meta.filename) void main();
