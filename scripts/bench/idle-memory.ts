import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { startAppServer, visitorCookie, type AppServer } from './app-server';
import type { BenchApi } from './fake-api';
import { agentPids, serverRss } from './procfs';
import { median, mib } from './stats';
import { sendThroughTether } from './tether-client';

const CONVERSATIONS = 10;
const MESSAGES_EACH = 10;
/** After health (or the last run's end), before sampling: the start's sweeps and the runs' writes are done. */
const SETTLE_MS = 10_000;
const SAMPLES = 5;
const GOAL_MIB = 300;

type Reading = { idle: number; live: number; heapUsed: number };

/**
 * The server's own memory at idle (`next start` and its helpers, without agent CLIs) on the
 * embedded database: after a first start on a new data folder (the database is created then),
 * after a restart on that folder, and after a session of 100 runs on that restarted server
 * (10 conversations of 10 messages, one after another). **At idle**: the median RSS of a few samples a
 * second apart, as the server sits; **live**: its RSS right after a full garbage collection.
 */
export async function benchIdleMemory({ api, root, build, env, log }: { api: BenchApi; root: string; build: string; env: Record<string, string>; log: (line: string) => void }): Promise<string> {
  const dataDir = path.join(root, 'app-memory');
  const first = await startAppServer({ root: build, dataDir, env });
  const firstStart = await reading(first);
  await first.stop();
  log(`idle memory, first start: ${describe(firstStart)}`);
  const server = await startAppServer({ root: build, dataDir, env });
  const restart = await reading(server);
  log(`idle memory, restart: ${describe(restart)}`);
  const cookie = await visitorCookie(server);
  for (let conversation = 1; conversation <= CONVERSATIONS; conversation++) {
    const conversationId = randomUUID();
    for (let message = 1; message <= MESSAGES_EACH; message++) {
      const text = `[idle memory] conversation ${conversation}, message ${message}`;
      api.streamDeltas(text, { count: 20, delayMs: 0 });
      await sendThroughTether({ server, cookie, conversationId, text });
    }
  }
  const afterRuns = await reading(server);
  log(`idle memory, after ${CONVERSATIONS * MESSAGES_EACH} runs: ${describe(afterRuns)} (${agentPids(server.pid).size} warm agents, not counted)`);
  await server.stop();
  const row = (label: string, { idle, live, heapUsed }: Reading) => `| ${label} | ${mib(idle)} | ${mib(live)} | ${mib(heapUsed)} | ${idle <= GOAL_MIB * 1024 ** 2 ? 'yes' : '**no**'} |`;
  return [
    `| the server's own processes (no agent CLIs), PGlite | RSS at idle (median of ${SAMPLES}) | RSS after a full GC | V8 heap used | ≤ ${GOAL_MIB} MiB |`,
    '|---|---:|---:|---:|:---:|',
    row('first start (a new data folder: the database is created)', firstStart),
    row('restart (the same folder)', restart),
    row(`after ${CONVERSATIONS * MESSAGES_EACH} runs (${CONVERSATIONS} conversations × ${MESSAGES_EACH} messages), restarted server`, afterRuns),
  ].join('\n');
}

async function reading(server: AppServer): Promise<Reading> {
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const samples: number[] = [];
  for (let sample = 0; sample < SAMPLES; sample++) {
    if (sample > 0) await new Promise((resolve) => setTimeout(resolve, 1000));
    samples.push(serverRss(server.pid));
  }
  const idle = median(samples);
  const { heapUsed } = await server.collectGarbage();
  return { idle, live: serverRss(server.pid), heapUsed };
}

const describe = ({ idle, live, heapUsed }: Reading) => `${mib(idle)} at idle, ${mib(live)} after a full GC (heap ${mib(heapUsed)})`;
