/**
 * What the workspace disk quota costs. Once per workspace: making and mounting its image (and
 * moving an existing workspace's files in). Per run: a cold run's first token in a workspace on
 * its image against one in a plain folder, each side in a process of its own (the quota setting is
 * read once per process) running the real SDK and CLI in the sandbox through the run manager,
 * alternating. Runs alone too: `tsx --conditions=react-server scripts/bench/disk-quota.ts`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { mountImage } from '@/features/workspaces/server/disk-image';
import { unmountUnder } from '@/lib/mounts';
import { median, ms, ratio } from './stats';

export const diskQuotaSetup = { runs: 15, images: 21, migrate: { files: 500, kib: 100, repetitions: 3 } };
const MB = 1024 * 1024;
const CHILD_FLAG = '--disk-quota-child';
const repo = path.resolve(import.meta.dirname, '../..');

type Sample = { firstTokenMs: number; endMs: number };
type Side = { ask: () => Promise<Sample>; stop: () => Promise<void> };

export async function benchDiskQuota({ log }: { log: (line: string) => void }): Promise<string> {
  const root = mkdtempSync(path.join(tmpdir(), 'tether-quota-bench-'));
  try {
    const image = imageCost(root);
    log(`disk quota: make + mount a 1 GiB image ${ms(image.create)}; move ${diskQuotaSetup.migrate.files} files in ${ms(image.migrate)}`);
    const sides = { quota: startSide(path.join(root, 'quota'), '1024'), plain: startSide(path.join(root, 'plain'), '0') };
    try {
      for (const side of Object.values(sides)) await side.ask(); // warm-up: PGlite, the first CLI start
      const samples: Record<keyof typeof sides, Sample[]> = { quota: [], plain: [] };
      for (let rep = 1; rep <= diskQuotaSetup.runs; rep++) {
        for (const name of rep % 2 === 1 ? (['quota', 'plain'] as const) : (['plain', 'quota'] as const)) {
          const sample = await sides[name].ask();
          samples[name].push(sample);
          log(`disk quota ${name} #${rep}: first token ${ms(sample.firstTokenMs)}, end ${ms(sample.endMs)}`);
        }
      }
      const row = (label: string, pick: (sample: Sample) => number) => {
        const on = median(samples.quota.map(pick));
        const off = median(samples.plain.map(pick));
        return `| ${label} | ${ms(on)} | ${ms(off)} | ${ms(on - off)} | ${ratio(on / off)} |`;
      };
      return [
        `| median (runs: of ${diskQuotaSetup.runs}; images: of ${diskQuotaSetup.images}) | on its image (1 GiB quota) | plain folder (quota off) | difference | on / off |`,
        '|---|---:|---:|---:|---:|',
        `| once per workspace: make + mount a 1 GiB image (empty) | ${ms(image.create)} | – | | |`,
        `| once per older workspace: move ${diskQuotaSetup.migrate.files} files (${((diskQuotaSetup.migrate.files * diskQuotaSetup.migrate.kib) / 1024).toFixed(1)} MiB) into its image (median of ${diskQuotaSetup.migrate.repetitions}) | ${ms(image.migrate)} | – | | |`,
        row('**cold run**: `startRun` → first text delta (new CLI in the sandbox)', (sample) => sample.firstTokenMs),
        row('cold run: `startRun` → `end`', (sample) => sample.endMs),
      ].join('\n');
    } finally {
      await Promise.all(Object.values(sides).map((side) => side.stop()));
    }
  } finally {
    unmountUnder(root);
    rmSync(root, { recursive: true, force: true });
  }
}

/** Making and mounting images straight through the mechanism, each on a fresh workspace folder. */
function imageCost(root: string): { create: number; migrate: number } {
  const timeOne = (name: string, prepare: (files: string) => void) => {
    const workspace = path.join(root, 'images', name);
    mkdirSync(path.join(workspace, 'files'), { recursive: true });
    prepare(path.join(workspace, 'files'));
    const started = performance.now();
    mountImage({ root: workspace, sizeBytes: 1024 * MB });
    const elapsed = performance.now() - started;
    unmountUnder(workspace);
    rmSync(workspace, { recursive: true, force: true });
    return elapsed;
  };
  const create = Array.from({ length: diskQuotaSetup.images }, (_, i) => timeOne(`empty-${i}`, () => {}));
  const { files, kib, repetitions } = diskQuotaSetup.migrate;
  const content = Buffer.alloc(kib * 1024, 'x');
  const migrate = Array.from({ length: repetitions }, (_, i) =>
    timeOne(`full-${i}`, (dir) => {
      for (let file = 0; file < files; file++) {
        mkdirSync(path.join(dir, `d${file % 20}`), { recursive: true });
        writeFileSync(path.join(dir, `d${file % 20}`, `f${file}.txt`), content);
      }
    }),
  );
  return { create: median(create), migrate: median(migrate) };
}

/** A child process that runs cold runs on request: one JSON line in, one out. */
function startSide(dataDir: string, quotaMb: string): Side {
  mkdirSync(dataDir, { recursive: true });
  const child: ChildProcess = spawn(path.join(repo, 'node_modules/.bin/tsx'), ['--conditions=react-server', import.meta.filename, CHILD_FLAG], {
    cwd: repo,
    env: { ...process.env, BENCH_DATA_DIR: dataDir, BENCH_QUOTA_MB: quotaMb },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return {
    ask: async () => {
      child.stdin!.write('run\n');
      const { value, done } = await lines.next();
      if (done) throw new Error(`the disk quota bench child (quota ${quotaMb} MB) exited`);
      return JSON.parse(value) as Sample;
    },
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin!.end();
      await exited;
    },
  };
}

/** The child: a run manager with its own data folder, quota setting and scripted Messages API. */
async function child() {
  const { startMessagesApi } = await import('@/lib/messages-api/server');
  const api = await startMessagesApi({ responder: () => ({ blocks: [{ type: 'text', text: 'Hello from the bench model, in a few words.' }] }) });
  Object.assign(process.env, {
    TETHER_DATA_DIR: process.env.BENCH_DATA_DIR,
    TETHER_WORKSPACE_QUOTA_MB: process.env.BENCH_QUOTA_MB,
    ANTHROPIC_API_KEY: 'bench',
    ANTHROPIC_BASE_URL: api.url,
    TETHER_AGENT_MAX_RETRIES: '0',
    TETHER_WARM_IDLE_SECONDS: '0', // every run starts its own CLI: cold
    TETHER_RUNS_PER_VISITOR_PER_HOUR: '100000',
    TETHER_DISK_RESERVE_MB: '100',
    LOG_LEVEL: 'error',
  });
  const { createWorkspace } = await import('@/features/workspaces/server');
  const runs = await import('@/features/runs/server/run-manager');
  const workspace = createWorkspace({ name: 'bench', files: { 'README.md': '# Bench\n' }, config: { allowBash: true } });
  for await (const _line of createInterface({ input: process.stdin })) {
    const visitorId = randomUUID();
    const started = performance.now();
    const info = await runs.startRun({ visitorId, workspace, conversationId: randomUUID(), text: 'hello', model: 'claude-sonnet-4-5', mode: 'build' });
    const sample = await new Promise<Sample>((resolve) => {
      let firstTokenMs = Number.NaN;
      runs.requireRun({ runId: info.id, visitorId, workspace: 'bench' }).subscribe(0, (event) => {
        if (event.type === 'text' && Number.isNaN(firstTokenMs)) firstTokenMs = performance.now() - started;
        if (event.type === 'end') resolve({ firstTokenMs, endMs: performance.now() - started });
      });
    });
    process.stdout.write(`${JSON.stringify(sample)}\n`);
  }
  (await import('@/features/agents/server/agent-pool')).closeAllProcesses();
  await (await import('@/lib/db/connection')).closeDb();
  await api.close();
  (await import('@/lib/mounts')).unmountMadeHere();
  process.exit(0);
}

if (process.argv.includes(CHILD_FLAG)) {
  void child();
} else if (process.argv[1] === import.meta.filename) {
  void benchDiskQuota({ log: (line) => process.stderr.write(`${line}\n`) }).then((table) => process.stdout.write(`${table}\n`));
}
