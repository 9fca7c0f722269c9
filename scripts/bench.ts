/**
 * `npm run bench`: benchmarks against a real `next start` of the production build and the
 * real Agent SDK, both talking to the scripted Messages API in this process (so the API's
 * write times and the clients' receive times share one clock). Writes docs/benchmarks.md.
 *
 * App modules import 'server-only', so this runs under `tsx --conditions=react-server`.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createWorkspace } from '@/features/workspaces/server';
import { unmountUnder } from '@/lib/mounts';
import { ensureBuild, snapshotBuild, startAppServer, stopAllServers, visitorCookie } from './bench/app-server';
import { startBenchApi } from './bench/fake-api';
import { benchFollowUp } from './bench/follow-up';
import { benchPrewarm, prewarmSetup } from './bench/prewarm';
import { benchHistoryLoad } from './bench/history-load';
import { benchReplay } from './bench/replay';
import { benchApproval } from './bench/approval';
import { benchContinuation } from './bench/continuation';
import { benchScaleOut } from './bench/scale-out';
import { benchLoad } from './bench/load';
import { benchSandboxCost } from './bench/sandbox-cost';
import { otherCpuUse, writeResults } from './bench/report';
import { benchReportText } from './bench/report-text';
import { benchStreamOverhead } from './bench/stream-overhead';
import { benchViewers } from './bench/viewers';
import { benchPushFanout } from './bench/push-fanout';
import { benchPageWeight } from './bench/page-weight';
import { benchModelDoor } from './bench/model-door';
import { benchDiskQuota } from './bench/disk-quota';
import { benchAttachments } from './bench/attachments';
import { benchSnapshots } from './bench/snapshots';
import { benchIdleMemory } from './bench/idle-memory';

const root = mkdtempSync(path.join(os.tmpdir(), 'tether-bench-'));
// Retries: a server that is still exiting may write into the folder while it is removed. The
// workspaces' disk images are detached first (rm would fail on their mount points).
const removeRoot = () => (unmountUnder(root), rmSync(root, { recursive: true, force: true, maxRetries: 5 }));
// On Ctrl-C, stop the servers before removing their data (the finally in main() won't run).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void stopAllServers().finally(() => (removeRoot(), process.exit(130))));
}
// The direct SDK runs in this process and reads its data root from the environment on first use.
process.env.TETHER_DATA_DIR = path.join(root, 'direct');

const benchStarted = Date.now();
const log = (line: string) => console.log(`bench [${Math.round((Date.now() - benchStarted) / 1000)} s]: ${line}`);

async function timed<T>(name: string, run: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await run();
  log(`${name}: ${Math.round((Date.now() - started) / 1000)} s`);
  return result;
}

async function main() {
  ensureBuild();
  const otherCpu = await otherCpuUse();
  const started = Date.now();
  const api = await startBenchApi();
  try {
    const build = snapshotBuild(path.join(root, 'build'));
    // Which build was measured (the copy checked that it did not change while copying).
    const buildIdFile = path.join(import.meta.dirname, '../.next/BUILD_ID');
    const buildInfo = `build \`${readFileSync(path.join(build, '.next/BUILD_ID'), 'utf8').trim()}\` of ${statSync(buildIdFile).mtime.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    // One bench visitor sends far more than a person would: the fair-use limits stay out of the way.
    const env = {
      ANTHROPIC_API_KEY: 'bench',
      ANTHROPIC_BASE_URL: api.url,
      TETHER_RUNS_PER_VISITOR_PER_HOUR: '100000',
      TETHER_RUNS_AT_ONCE_PER_VISITOR: '100',
      TETHER_NEW_VISITORS_PER_ADDRESS_PER_MINUTE: '100000',
      TETHER_VIEWERS_PER_RUN: '2000',
      TETHER_VIEWERS_PER_VISITOR: '2000',
      TETHER_BUDGET_USD_PER_VISITOR_PER_DAY: '0',
      TETHER_BUDGET_USD_PER_WORKSPACE_PER_DAY: '0',
      TETHER_ATTACHMENT_MB_PER_VISITOR_PER_DAY: '0',
      // Spare agents would serve the first messages the other benchmarks time as cold: 17 has them on.
      TETHER_PREWARMED_AGENTS: '0',
    };
    // A second server keeps no warm agent processes: the cold side of the follow-up benchmark, and
    // the history benchmark's server, whose check must resume the grown transcript from disk (a warm
    // CLI would carry on from the 2 turns it has in memory). Both start at once.
    const coldData = path.join(root, 'app-cold');
    // Two more for the sandbox's cost: agents in bubblewrap, and agents without it (no bwrap found on a
    // localhost base domain: the quick start's fallback), each with nothing else running.
    const [server, coldServer, sandboxServer, openServer] = await Promise.all([
      startAppServer({ root: build, dataDir: path.join(root, 'app'), env }),
      startAppServer({ root: build, dataDir: coldData, env: { ...env, TETHER_WARM_IDLE_SECONDS: '0' } }),
      startAppServer({ root: build, dataDir: path.join(root, 'app-sandboxed'), env }),
      startAppServer({ root: build, dataDir: path.join(root, 'app-unsandboxed'), env: { ...env, TETHER_BWRAP_PATH: '/nonexistent/bwrap' } }),
    ]);
    log(`next start on ports ${server.port}, ${coldServer.port} (TETHER_WARM_IDLE_SECONDS=0), ${sandboxServer.port} and ${openServer.port} (unsandboxed); fake Messages API at ${api.url}`);
    const cookie = await visitorCookie(server);
    const coldCookie = await visitorCookie(coldServer);
    const workspace = createWorkspace({ name: 'bench' });

    const sandbox = await timed('sandbox cost', async () =>
      benchSandboxCost({
        api,
        sandboxed: { server: sandboxServer, cookie: await visitorCookie(sandboxServer) },
        unsandboxed: { server: openServer, cookie: await visitorCookie(openServer) },
        log,
      }),
    );
    await openServer.stop();
    const load = await timed('load', () => benchLoad({ api, server: sandboxServer, log }));
    await sandboxServer.stop();
    const stream = await timed('stream overhead', () => benchStreamOverhead({ api, server, cookie, workspace, log }));
    const history = await timed('history load', () => benchHistoryLoad({ api, server: coldServer, cookie: coldCookie, dataDir: coldData, log }));
    const followUp = await timed('follow-up', () => benchFollowUp({ api, warm: { server, cookie }, cold: { server: coldServer, cookie: coldCookie }, log }));
    const prewarmData = path.join(root, 'app-prewarm');
    prewarmSetup.prepare(prewarmData);
    const prewarmServer = await startAppServer({ root: build, dataDir: prewarmData, env: { ...env, ...prewarmSetup.env } });
    const prewarm = await timed('prewarm', async () => benchPrewarm({ api, server: prewarmServer, cookie: await visitorCookie(prewarmServer), log }));
    await prewarmServer.stop();
    const scaleOut = await timed('scale-out', () => benchScaleOut({ api, root, build, env, coldDisk: { server: coldServer, cookie: coldCookie }, log }));
    await coldServer.stop();
    const viewers = await timed('viewers', () => benchViewers({ api, server, cookie, log }));
    const replay = await timed('replay', () => benchReplay({ api, server, cookie, log }));
    const approval = await timed('approval', () => benchApproval({ api, server, cookie, log }));
    const pushFanout = await benchPushFanout({ log });
    const pageWeight = await timed('page weight', () => benchPageWeight({ api, server, cookie }));
    const attachments = await timed('attachments', () => benchAttachments({ api, server, cookie, log }));
    const modelDoor = await timed('model door', () => benchModelDoor({ api, log }));
    const diskQuota = await timed('disk quota', () => benchDiskQuota({ log }));
    const continuation = await timed('continuation', () => benchContinuation({ api, root, build, env, log }));
    const snapshots = await timed('snapshots', () => benchSnapshots({ log }));
    const idleMemory = await timed('idle memory', () => benchIdleMemory({ api, root, build, env, log }));

    const results = benchReportText({
      tookSeconds: Math.round((Date.now() - started) / 1000),
      buildInfo,
      otherCpu,
      tables: {
        stream,
        history,
        followUp,
        viewers,
        replay,
        pushFanout,
        sandbox,
        load,
        approval,
        scaleOut,
        pageWeight,
        modelDoor,
        diskQuota,
        continuation,
        attachments,
        snapshots,
        prewarm,
        idleMemory,
      },
    });
    console.log(`\n${results}\n`);
    log(`wrote ${writeResults(results)}`);
  } finally {
    await stopAllServers();
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
