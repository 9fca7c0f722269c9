/**
 * What a run's checkpoint costs (features/changes): the real `RunSnapshots.takeBefore` and
 * `changesAtEnd`, with their database writes, on the demo workspace and on 10,000-file ones, and
 * a cold run's first token with the snapshots and with them made no-ops, alternating. All in a
 * child process with its own data folder (snapshots-child.ts: settings are read once per
 * process). Runs alone too: `tsx --conditions=react-server scripts/bench/snapshots.ts`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { unmountUnder } from '@/lib/mounts';
import { snapshotsSetup, type Side, type SnapshotsResult, type Spawn } from './snapshots-child';
import { median, mib, ms, percentile, ratio } from './stats';

export { snapshotsSetup } from './snapshots-child';
const repo = path.resolve(import.meta.dirname, '../..');

export async function benchSnapshots({ log }: { log: (line: string) => void }): Promise<string> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-snapshots-bench-'));
  try {
    const child = spawn(path.join(repo, 'node_modules/.bin/tsx'), ['--conditions=react-server', path.join(import.meta.dirname, 'snapshots-child.ts')], {
      cwd: repo,
      env: { ...process.env, BENCH_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let result: string | undefined;
    for await (const line of createInterface({ input: child.stdout })) {
      if (line.startsWith('log ')) log(`snapshots: ${line.slice(4)}`);
      if (line.startsWith('result ')) result = line;
    }
    const code = await exited;
    if (code !== 0 || !result) throw new Error(`the snapshots bench child failed (exit ${code})`);
    const { sides, spawn: gitSpawn } = JSON.parse(result.slice(7)) as SnapshotsResult;
    return table(sides, gitSpawn);
  } finally {
    unmountUnder(dataDir); // the workspaces' disk images, should the child have failed before detaching them
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function table(sides: Side[], gitSpawn: Spawn): string {
  const p = (values: number[]) => `${ms(median(values))} / ${ms(percentile(values, 99))}`;
  const demo = sides[0]!;
  const row = (label: string, cell: (side: Side) => string) => `| ${label} | ${sides.map(cell).join(' | ')} |`;
  const { first, repeated, coldRuns, editedPerRun, addedPerRun } = snapshotsSetup;
  const snapshotCost = [
    `| p50 / p99 | ${sides.map((side) => `${side.label} (${side.kept.toLocaleString('en')} files kept at the start)`).join(' | ')} |`,
    `|---|${sides.map(() => '---:').join('|')}|`,
    row(`first snapshot, new store (\`takeBefore\`: every file hashed), of ${first}`, (side) => p(side.samples.first)),
    row(`**before**, repeated (\`takeBefore\`, nothing changed since the last), of ${repeated}`, (side) => p(side.samples.before)),
    row(`**after**, ${editedPerRun} files edited + ${addedPerRun} added (\`changesAtEnd\`: snapshot, diff), of ${repeated}`, (side) => p(side.samples.after)),
    row('store upkeep after each end (background sweep: refs, bound, `gc --auto`)', (side) => p(side.samples.upkeep)),
    row('before p50, × the demo workspace’s', (side) => ratio(median(side.samples.before) / median(demo.samples.before))),
    row(`store after the first and the ${repeated} repeated runs`, (side) => mib(side.storeBytes)),
    row(`deleting the conversation of those ${repeated} runs: its sweep (refs dropped, full \`gc\`)`, (side) => ms(side.deletionSweepMs)),
    `| one git command (\`rev-parse\`: spawn to exit) from the server's process, ${mib(gitSpawn.rssBytes)} resident, of ${gitSpawn.ms.length} | ${p(gitSpawn.ms)} | | |`,
  ];
  const ttft = [
    `| cold run, build mode, \`startRun\` → first text delta (median of ${coldRuns}) | with snapshots | without (snapshot calls made no-ops) | difference | with / without | \`takeBefore\` inside the run |`,
    '|---|---:|---:|---:|---:|---:|',
    ...sides.map((side) => {
      const on = median(side.cold.with);
      const off = median(side.cold.without);
      return `| ${side.label} | ${ms(on)} | ${ms(off)} | ${ms(on - off)} | ${ratio(on / off)} | ${ms(median(side.cold.beforeInRun))} |`;
    }),
  ];
  return [...snapshotCost, '', ...ttft].join('\n');
}

if (process.argv[1] === import.meta.filename) {
  void benchSnapshots({ log: (line) => process.stderr.write(`${line}\n`) }).then((result) => process.stdout.write(`${result}\n`));
}
