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
import { benchHistoryLoad } from './bench/history-load';
import { benchReplay } from './bench/replay';
import { benchApproval } from './bench/approval';
import { benchScaleOut, scaleOutSetup } from './bench/scale-out';
import { benchLoad, loadSetup } from './bench/load';
import { benchSandboxCost } from './bench/sandbox-cost';
import { machine, otherCpuUse, writeResults } from './bench/report';
import { benchStreamOverhead } from './bench/stream-overhead';
import { benchViewers, viewersSetup } from './bench/viewers';
import { benchPushFanout } from './bench/push-fanout';
import { benchPageWeight } from './bench/page-weight';
import { benchModelDoor, modelDoorSetup } from './bench/model-door';
import { benchDiskQuota, diskQuotaSetup } from './bench/disk-quota';

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
    const scaleOut = await timed('scale-out', () => benchScaleOut({ api, root, build, env, coldDisk: { server: coldServer, cookie: coldCookie }, log }));
    await coldServer.stop();
    const viewers = await timed('viewers', () => benchViewers({ api, server, cookie, log }));
    const replay = await timed('replay', () => benchReplay({ api, server, cookie, log }));
    const approval = await timed('approval', () => benchApproval({ api, server, cookie, log }));
    const pushFanout = await benchPushFanout({ log });
    const pageWeight = await timed('page weight', () => benchPageWeight({ api, server, cookie }));
    const modelDoor = await timed('model door', () => benchModelDoor({ api, log }));
    const diskQuota = await timed('disk quota', () => benchDiskQuota({ log }));

    const results = [
      `Last run: ${new Date().toISOString().slice(0, 10)} on ${machine()}; took ${Math.round((Date.now() - started) / 1000)} s;`,
      `${buildInfo};`,
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
      'Served by the `TETHER_WARM_IDLE_SECONDS=0` server (see 3), so the check below resumes from the file.',
      '',
      history,
      '',
      '### 3. Follow-up time to first token: warm process vs cold start',
      '',
      'A new conversation each time: a first message, wait for `end` and half a second, then a follow-up in the same',
      'conversation, timed from its `POST` to the first text delta on its SSE stream. **Warm**: the server as configured',
      '(`TETHER_WARM_IDLE_SECONDS` default 120), so the follow-up goes to the CLI still running from the first',
      'message. **Cold**: a second server with `TETHER_WARM_IDLE_SECONDS=0`, so every run starts a new CLI that',
      'resumes the session from its transcript. Alternating, after one untimed conversation on each server. The',
      'last row checks which it was: the agent CLIs under the server (from /proc) while the follow-up streams.',
      '',
      followUp,
      '',
      '### 4. 1,000 concurrent SSE viewers of one run',
      '',
      `One run streams ${viewersSetup.deltas} deltas, one per ~${viewersSetup.delayMs} ms (~${Math.round(1000 / viewersSetup.delayMs)} deltas/s, a fast model). Before the scripted API`,
      'starts the reply (it holds the request until told), a worker thread of the bench process opens the viewers:',
      'one `GET /api/runs/:id/events?after=0` each, same visitor cookie, Node `http` with a keep-alive `Agent`',
      `(\`maxSockets: Infinity\`), ≤ ${viewersSetup.connectConcurrency} connecting at once. *Delivery latency* = when a viewer got a delta − when`,
      'the API wrote it, over every delta of every viewer (one monotonic clock). Server CPU: utime + stime of',
      "`next start` from /proc. Memory: VmRSS of `next start` and its descendants except the agent CLIs, with the",
      'run waiting and no viewers, then with all viewers connected, each right after a full GC (forced through',
      "the inspector by `scripts/bench/server-probe.mjs`, preloaded with `node --import`: RSS alone swings by",
      "±100 MB with GC timing); the difference over the number of viewers. Alternated with the same run watched",
      'by a single viewer.',
      '',
      viewers,
      '',
      '### 5. Re-attach replay of a finished 5,000-event run',
      '',
      'One scripted reply of 4,998 deltas (no delay): `start` + 4,998 `text` + `end` = 5,000 events, kept in',
      "memory by the finished run. Then a new connection to the run's SSE with `after=0`, `after=2500` and",
      '`after=4999` (only `end` left: the fixed cost of a request), rotating, timed from the request to the',
      'arrival of `end`, when a client has caught up.',
      '',
      replay,
      '',
      '### 6. Web Push fan-out: 2,000 subscriptions',
      '',
      "One notice to 2,000 subscriptions on the test push service (`tests/fixtures/push-service.ts`, HTTPS with a",
      'self-signed certificate, in a child process so the CPU below is the sender\'s alone). Tether\'s `PushSender`',
      '(one VAPID JWT per push-service origin, reused) vs a plain `webpush.sendNotification` loop (a new JWT per',
      'message), same concurrency and keep-alive agent, alternating, after one untimed round each.',
      '',
      pushFanout,
      '',
      '### 7. The agent sandbox: cold start, warm follow-up and memory, with and without it',
      '',
      'Each agent process runs in bubblewrap (its own namespaces, the workspace and a private home mounted, a',
      'model bridge on a Unix socket reached through socat inside, a cgroup with memory and process limits).',
      'Here the same conversation runs on a server whose agents are sandboxed and on one without the sandbox',
      '(`TETHER_BWRAP_PATH` pointing nowhere on a localhost base domain, the quick start\'s fallback): a first',
      'message (a new CLI: send → first text delta), half a second, then a follow-up to that warm CLI. Memory:',
      "VmRSS summed over the agent's process tree (bwrap, socat, the CLI) while it waits warm. Alternating, after",
      'one untimed conversation on each. All the other benchmarks above run sandboxed.',
      '',
      sandbox,
      '',
      '### 8. Load: many visitors sharing the agent slots',
      '',
      `${loadSetup.visitors} visitors, each with a conversation of its own, send ${loadSetup.messagesEach} messages one after the other, all`,
      `visitors at once, to a server with the default agent slots (\`TETHER_MAX_AGENT_PROCESSES\` = 2 × cores) and queue`,
      `(\`TETHER_RUN_QUEUE_LIMIT\` 20). Each reply: ${loadSetup.replyDeltas} deltas, ${loadSetup.deltaDelayMs} ms apart. A 429 is honoured as a person would:`,
      'wait `Retry-After`, send again (the wait below includes that). Sandboxed agents, cold CLIs (a visitor\'s second',
      'message may find its CLI warm).',
      '',
      load,
      '',
      '### 9. Ask mode: from the decision to the agent going on',
      '',
      'A new conversation each time, in the demo workspace: the scripted model asks for one Write. In **ask** mode the',
      'client POSTs "allow" (`/api/runs/:runId/approvals/:approvalId`) the moment the `approval` event arrives on the',
      "run's stream, and times the `200`, the `approval_decided` event and the tool's result on the stream (the CLI got",
      "the decision, ran the Write and reported it). Alternated with the same Write in **build** mode, where nothing waits:",
      "from the tool card to its result. Sandboxed agents; each run starts its CLI (not timed here).",
      '',
      approval,
      '',
      '### 10. Several instances: PostgreSQL + Redis',
      '',
      'Two more `next start` instances of the same build, on a PostgreSQL database and a Redis index of their own, each',
      `with its own data folder, agents cold (\`TETHER_WARM_IDLE_SECONDS=0\`). First: one run on instance A streams ${scaleOutSetup.deltas} deltas`,
      `(one per ~${scaleOutSetup.delayMs} ms) to one viewer on A and one on B at once (B reads A's Redis Stream), ${scaleOutSetup.repetitions} runs. Then one`,
      `such run watched by ${scaleOutSetup.viewers.toLocaleString('en')} viewers, half on each instance (a worker thread per half). Last, a cold follow-up:`,
      'on the single PGlite server of benchmark 3 (resumed from its disk) against first message on A, follow-up on B (B has',
      'never seen the conversation: resumed from the transcript store), alternating, after one untimed round each.',
      '',
      scaleOut,
      '',
      '### 11. Page weight: the JavaScript of the workspace page',
      '',
      pageWeight,
      '',
      "### 12. The model door's cost per model request",
      '',
      `${modelDoorSetup.requests} requests per side, alternating, one at a time: a ${modelDoorSetup.bodyKiB} KiB Messages API body (the size of the CLI's, system`,
      `prompt and tool schemas included) answered with a ${modelDoorSetup.deltas}-delta stream. **Direct**: to the scripted API. **Through the door**:`,
      "to an agent's bridge on its Unix socket (token, the door's path, model and output checks on the parsed body,",
      'forwarding, the usage read from the stream as it passes). *Added* = the difference at that percentile.',
      '',
      modelDoor,
      '',
      "### 13. The workspace disk quota's cost",
      '',
      "Once per workspace: making and mounting its 1 GiB sparse ext4 image (`mountImage`: flock, `mkfs.ext4 -d`, `mount -o loop`),",
      `empty, median of ${diskQuotaSetup.images}, and with ${diskQuotaSetup.migrate.files} files of ${diskQuotaSetup.migrate.kib} KiB already in the folder (an older workspace's first`,
      'start). Per run: the same cold run (a new conversation, a new CLI in the sandbox, `TETHER_WARM_IDLE_SECONDS=0`) in a',
      'workspace on its image and in one in a plain folder (`TETHER_WORKSPACE_QUOTA_MB=0`), each side a process of its own',
      `driving the run manager with a scripted API, ${diskQuotaSetup.runs} runs per side, alternating, after one untimed run each.`,
      '',
      diskQuota,
    ].join('\n');
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
