/**
 * `npm run bench`: two benchmarks against a real `next start` of the production build and the
 * real Agent SDK, both talking to the scripted Messages API in this process (so the API's
 * write times and the clients' receive times share one clock). Writes docs/benchmarks.md.
 *
 * App modules import 'server-only', so this runs under `tsx --conditions=react-server`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createWorkspace } from '@/features/workspaces/server';
import { ensureBuild, snapshotBuild, startAppServer, stopAllServers, visitorCookie, type AppServer } from './bench/app-server';
import { startBenchApi } from './bench/fake-api';
import { benchHistoryLoad } from './bench/history-load';
import { machine, otherCpuUse, writeResults } from './bench/report';
import { benchStreamOverhead } from './bench/stream-overhead';

const root = mkdtempSync(path.join(os.tmpdir(), 'tether-bench-'));
// Retries: a server that is still exiting may write into the folder while it is removed.
const removeRoot = () => rmSync(root, { recursive: true, force: true, maxRetries: 5 });
// On Ctrl-C, stop the servers before removing their data (the finally in main() won't run).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void stopAllServers().finally(() => (removeRoot(), process.exit(130))));
}
// The direct SDK runs in this process and reads its data root from the environment on first use.
process.env.TETHER_DATA_DIR = path.join(root, 'direct');

const log = (line: string) => console.log(`bench: ${line}`);

async function main() {
  ensureBuild();
  const otherCpu = await otherCpuUse();
  const started = Date.now();
  const api = await startBenchApi();
  let server: AppServer | undefined;
  try {
    const appData = path.join(root, 'app');
    server = await startAppServer({ root: snapshotBuild(path.join(root, 'build')), dataDir: appData, env: { ANTHROPIC_API_KEY: 'bench', ANTHROPIC_BASE_URL: api.url } });
    log(`next start on port ${server.port}, fake Messages API at ${api.url}`);
    const cookie = await visitorCookie(server);
    const workspace = createWorkspace({ name: 'bench' });

    const stream = await benchStreamOverhead({ api, server, cookie, workspace, log });
    const history = await benchHistoryLoad({ api, server, cookie, dataDir: appData, log });

    const results = [
      `Last run: ${new Date().toISOString().slice(0, 10)} on ${machine()}; took ${Math.round((Date.now() - started) / 1000)} s;`,
      `CPU used by other processes in the second before it started: ${otherCpu}.`,
      '',
      '### 1. Stream overhead: 2,000 text deltas',
      '',
      'One scripted reply of 2,000 small deltas (`d0 `, `d1 `, …), five alternating runs per side, each a fresh',
      "session. **Direct**: the SDK's `query()` in the bench process with Tether's own `agentOptions()` (plan",
      "mode). **Tether**: `POST /api/conversations/:id/messages`, then the run's SSE (`/api/runs/:id/events?after=0`)",
      'until `end`. *Added latency* = when the client got a delta − when the fake API wrote it (one clock: both',
      'live in the bench process). Completion times include the CLI start (~0.5–1 s), paid by both sides.',
      '',
      stream,
      '',
      '### 2. History load: a 200-turn conversation after a reload',
      '',
      'Two real turns through Tether, then the transcript JSONL grown to 200 turns by copying the real last turn',
      '(fresh uuids, parentUuid chain, timestamps; see `scripts/bench/transcript.ts`). Compared with a 2-turn',
      'conversation, alternating. Page loads are reloads in headless Chromium, timed from navigation start.',
      '',
      history,
    ].join('\n');
    console.log(`\n${results}\n`);
    log(`wrote ${writeResults(results)}`);
  } finally {
    await server?.stop();
    await api.close();
    removeRoot();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
