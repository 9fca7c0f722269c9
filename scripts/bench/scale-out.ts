import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import webpush from 'web-push';
import { scratchPostgres, scratchRedis } from '@/tests/fixtures/scratch-services';
import { startAppServer, visitorCookie, type AppServer } from './app-server';
import type { BenchApi } from './fake-api';
import { monotonicMs } from './sse';
import { median, ms, percentile, ratio } from './stats';
import { postMessage, readEvents, sendThroughTether } from './tether-client';
import { startWorker } from './viewers';

const REPETITIONS = 5;
const DELTAS = 200;
const DELAY_MS = 10;
const SPREAD_VIEWERS = 1000;

export const scaleOutSetup = { repetitions: REPETITIONS, deltas: DELTAS, delayMs: DELAY_MS, viewers: SPREAD_VIEWERS };

export type Cluster = {
  a: AppServer;
  b: AppServer;
  cookie: string;
  /** Starts instance `name` again (after a stop or a kill), on its data folder and the shared settings. */
  restart: (name: 'a' | 'b') => Promise<AppServer>;
  stop: () => Promise<void>;
};

/**
 * Two instances on one PostgreSQL database and one Redis index of their own (made here, dropped
 * after), each with its own data folder, agents cold (TETHER_WARM_IDLE_SECONDS=0), so a follow-up
 * resumes a session. `coldDisk`: the bench's single PGlite server with cold agents, for the
 * comparison of resuming from the disk.
 */
export async function benchScaleOut({
  api,
  root,
  build,
  env,
  coldDisk,
  log,
}: {
  api: BenchApi;
  root: string;
  build: string;
  env: Record<string, string>;
  coldDisk: { server: AppServer; cookie: string };
  log: (line: string) => void;
}): Promise<string> {
  const cluster = await startCluster({ root, build, env });
  try {
    const delivery = await benchDelivery({ api, cluster, log });
    const spread = await benchSpreadViewers({ api, cluster, log });
    const resume = await benchResume({ api, cluster, coldDisk, log });
    return [delivery, '', spread, '', resume].join('\n');
  } finally {
    await cluster.stop();
  }
}

export async function startCluster({ root, build, env }: { root: string; build: string; env: Record<string, string> }): Promise<Cluster> {
  const database = await scratchPostgres('tether_bench');
  const redisDb = await scratchRedis();
  const vapid = webpush.generateVAPIDKeys();
  const shared = {
    ...env,
    DATABASE_URL: database.url,
    REDIS_URL: redisDb.url,
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    VAPID_PUBLIC_KEY: vapid.publicKey,
    VAPID_PRIVATE_KEY: vapid.privateKey,
    VAPID_SUBJECT: 'mailto:bench@example.com',
    TETHER_WARM_IDLE_SECONDS: '0',
  };
  const start = (name: 'a' | 'b') => startAppServer({ root: build, dataDir: `${root}/cluster-${name}`, env: shared });
  const [a, b] = await Promise.all([start('a'), start('b')]);
  const cluster: Cluster = {
    a,
    b,
    cookie: await visitorCookie(a),
    restart: async (name) => (cluster[name] = await start(name)),
    stop: async () => {
      await Promise.all([cluster.a.stop(), cluster.b.stop()]);
      await database.release();
      await redisDb.release();
    },
  };
  return cluster;
}

/** A 100-deltas/s run on A, one viewer on A and one on B at once: what the hop through Redis adds. */
async function benchDelivery({ api, cluster, log }: { api: BenchApi; cluster: Cluster; log: (line: string) => void }): Promise<string> {
  const same: number[][] = [];
  const cross: number[][] = [];
  for (let rep = 1; rep <= REPETITIONS; rep++) {
    const prompt = `[scale-out delivery #${rep}] stream`;
    let openGate = () => {};
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const writtenAt = api.streamDeltas(prompt, { count: DELTAS, delayMs: DELAY_MS, gate });
    const { runId } = await postMessage({ server: cluster.a, cookie: cluster.cookie, conversationId: randomUUID(), text: prompt });
    const latencies = (server: AppServer) => {
      const received: number[] = [];
      let index = 0;
      const done = readEvents({ server, cookie: cluster.cookie, path: `/api/runs/${runId}/events?after=0` }, (event, at) => {
        if (event.type === 'text') received.push(at - writtenAt[index++]!);
      });
      return { received, done };
    };
    const onA = latencies(cluster.a);
    const onB = latencies(cluster.b);
    await new Promise((resolve) => setTimeout(resolve, 500)); // both attached before the reply starts
    openGate();
    await Promise.all([onA.done, onB.done]);
    same.push(onA.received);
    cross.push(onB.received);
    log(
      `scale-out delivery #${rep}: same instance p50 ${ms(percentile(onA.received, 50))} p99 ${ms(percentile(onA.received, 99))}; other instance p50 ${ms(percentile(onB.received, 50))} p99 ${ms(percentile(onB.received, 99))}`,
    );
  }
  const at = (runs: number[][], p: number) => median(runs.map((run) => percentile(run, p)));
  return [
    `| median of ${REPETITIONS} runs (${DELTAS} deltas, one per ~${DELAY_MS} ms) | viewer on the instance running it | viewer on the other instance | other / same |`,
    '|---|---:|---:|---:|',
    `| deltas received, all runs | ${same.flat().length} | ${cross.flat().length} |  |`,
    `| delivery latency (API wrote → viewer got), p50 | ${ms(at(same, 50))} | ${ms(at(cross, 50))} | ${ratio(at(cross, 50) / at(same, 50))} |`,
    `| … p99 | ${ms(at(same, 99))} | ${ms(at(cross, 99))} | ${ratio(at(cross, 99) / at(same, 99))} |`,
  ].join('\n');
}

/** 1,000 viewers of one run on A, half of them on each instance (a worker thread per half). */
async function benchSpreadViewers({ api, cluster, log }: { api: BenchApi; cluster: Cluster; log: (line: string) => void }): Promise<string> {
  const prompt = '[scale-out spread] stream to everyone';
  let openGate = () => {};
  const gate = new Promise<void>((resolve) => (openGate = resolve));
  const writtenAt = api.streamDeltas(prompt, { count: DELTAS, delayMs: DELAY_MS, gate });
  const { runId } = await postMessage({ server: cluster.a, cookie: cluster.cookie, conversationId: randomUUID(), text: prompt });
  const path = `/api/runs/${runId}/events?after=0`;
  const half = SPREAD_VIEWERS / 2;
  const workers = [cluster.a, cluster.b].map((server) => startWorker({ port: server.port, host: server.host, cookie: cluster.cookie, path, viewers: half, deltas: DELTAS, connectConcurrency: 50 }));
  try {
    await Promise.all(workers.map((worker) => worker.ready(30_000)));
    const connected = await Promise.all(workers.map((worker) => worker.connect(90_000)));
    if (connected.some((each) => each.connected !== half)) throw new Error(`spread viewers: ${connected.map((each) => each.connected).join(' + ')} of ${SPREAD_VIEWERS} connected`);
    for (const worker of workers) worker.streaming();
    openGate();
    const done = await Promise.all(workers.map((worker) => worker.done(60_000 + DELTAS * DELAY_MS * 4)));
    const offset = monotonicMs() - performance.now();
    const perInstance = done.map((result) => {
      const latencies: number[] = [];
      for (let viewer = 0; viewer < half; viewer++) {
        for (let index = 0; index < DELTAS; index++) {
          const received = result.receivedAt[viewer * DELTAS + index]!;
          if (!Number.isNaN(received)) latencies.push(received - offset - writtenAt[index]!);
        }
      }
      return { latencies, duplicates: result.duplicates, outOfOrder: result.outOfOrder, ended: result.ended, errors: result.errors };
    });
    if (perInstance.some((each) => each.errors.length > 0)) throw new Error(`spread viewers: ${perInstance.flatMap((each) => each.errors).join('; ')}`);
    const all = perInstance.flatMap((each) => each.latencies);
    log(`scale-out spread: ${all.length}/${SPREAD_VIEWERS * DELTAS} deltas, p50 ${ms(percentile(all, 50))} p99 ${ms(percentile(all, 99))}`);
    const row = (label: string, pick: (latencies: number[]) => string) => `| ${label} | ${pick(perInstance[0]!.latencies)} | ${pick(perInstance[1]!.latencies)} | ${pick(all)} |`;
    return [
      `| one run, ${SPREAD_VIEWERS.toLocaleString('en')} viewers (one run) | ${half} on the instance running it | ${half} on the other | all |`,
      '|---|---:|---:|---:|',
      row('deltas delivered', (latencies) => latencies.length.toLocaleString('en')),
      `| duplicates / out of order / missing \`end\` | ${perInstance.map((each) => `${each.duplicates} / ${each.outOfOrder} / ${half - each.ended}`).join(' | ')} |  |`,
      row('delivery latency, p50', (latencies) => ms(percentile(latencies, 50))),
      row('… p99', (latencies) => ms(percentile(latencies, 99))),
    ].join('\n');
  } finally {
    for (const worker of workers) void worker.stop();
  }
}

/**
 * A cold follow-up (no warm agent: TETHER_WARM_IDLE_SECONDS=0): on the same single instance,
 * resumed from its disk; across instances (first message on A, follow-up on B), resumed from the
 * transcript store. Send → first text delta, alternating.
 */
async function benchResume({ api, cluster, coldDisk, log }: { api: BenchApi; cluster: Cluster; coldDisk: { server: AppServer; cookie: string }; log: (line: string) => void }): Promise<string> {
  const samples = { disk: [] as number[], store: [] as number[] };
  const once = async (variant: 'disk' | 'store', label: string) => {
    const [first, second] =
      variant === 'disk'
        ? [coldDisk, coldDisk]
        : [
            { server: cluster.a, cookie: cluster.cookie },
            { server: cluster.b, cookie: cluster.cookie },
          ];
    const conversationId = randomUUID();
    const opening = `[resume ${label}] first message`;
    api.replyText(opening, 'A short first answer.');
    await sendThroughTether({ server: first.server, cookie: first.cookie, conversationId, text: opening });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const followUp = `[resume ${label}] follow-up`;
    api.streamDeltas(followUp, { count: 20, delayMs: 0 });
    let firstAt = Number.NaN;
    const { sentAt } = await sendThroughTether({
      server: second.server,
      cookie: second.cookie,
      conversationId,
      text: followUp,
      onEvent: (event, at) => {
        if (event.type === 'text' && Number.isNaN(firstAt)) firstAt = at;
      },
    });
    // The follow-up's request carried the first message: it resumed the session, not a new one.
    if (!JSON.stringify(api.requests.at(-1)?.messages).includes(opening)) throw new Error(`${label}: the follow-up did not resume the session`);
    return firstAt - sentAt;
  };
  await once('disk', 'disk warm-up');
  await once('store', 'store warm-up');
  for (let rep = 1; rep <= REPETITIONS; rep++) {
    for (const variant of rep % 2 === 1 ? (['disk', 'store'] as const) : (['store', 'disk'] as const)) {
      const ttft = await once(variant, `${variant} #${rep}`);
      samples[variant].push(ttft);
      log(`resume ${variant} #${rep}: follow-up send → first token ${ms(ttft)}`);
    }
  }
  const disk = median(samples.disk);
  const store = median(samples.store);
  return [
    `| median of ${REPETITIONS} cold follow-ups | same instance, from its disk | other instance, from the store | store / disk |`,
    '|---|---:|---:|---:|',
    `| **send → first text delta** | ${ms(disk)} | ${ms(store)} | ${ratio(store / disk)} |`,
  ].join('\n');
}
