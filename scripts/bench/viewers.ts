import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { AppServer } from './app-server';
import type { BenchApi } from './fake-api';
import { openFilesLimit, serverCpuMs, serverRss } from './procfs';
import { monotonicMs } from './sse';
import { median, mib, ms, percentile, ratio } from './stats';
import { postMessage } from './tether-client';
import type { ViewerJob, ViewersConnected, ViewersDone, ViewersReady } from './viewers-worker';

const VIEWERS = 1000;
/** A fast model's pace: 200 deltas, one per ~10 ms timer tick (~100 deltas/s, ~2 s). */
const DELTAS = 200;
const DELAY_MS = 10;
const REPETITIONS = 3;
const CONNECT_CONCURRENCY = 100;
/** Side by side: the same run watched by one viewer and by 1,000, alternating. */
const VARIANTS = [1, VIEWERS] as const;
/** For the description in docs/benchmarks.md. */
export const viewersSetup = { viewers: VIEWERS, deltas: DELTAS, delayMs: DELAY_MS, connectConcurrency: CONNECT_CONCURRENCY };

type Sample = {
  viewers: number;
  connectMs: number;
  delivered: number;
  expected: number;
  ended: number;
  duplicates: number;
  outOfOrder: number;
  p50: number;
  p99: number;
  max: number;
  /** Server memory after a full GC (RSS without agent CLIs; V8 heap + external): run going, no viewers → all viewers connected. */
  rssBase: number;
  rssViewers: number;
  heapBase: number;
  heapViewers: number;
  /** Highest server RSS sampled while streaming (no forced GC). */
  rssPeak: number;
  /** First delta written → last viewer has `end`. */
  drainMs: number;
  /** Server CPU (ms) while the viewers connected, and from the gate opening to the last `end`. */
  connectCpuMs: number;
  streamCpuMs: number;
  /** Event-loop utilization of the viewers' thread while streaming. */
  clientBusy: number;
};

export async function benchViewers({ api, server, cookie, log }: { api: BenchApi; server: AppServer; cookie: string; log: (line: string) => void }): Promise<string> {
  for (const [who, limit] of [
    ['the bench process', openFilesLimit()],
    ['next start', openFilesLimit(server.pid)],
  ] as const) {
    if (Number(limit) < VIEWERS + 200) throw new Error(`${who} may open only ${limit} files, too few for ${VIEWERS} viewers: raise \`ulimit -n\``);
  }
  const samples = new Map<number, Sample[]>(VARIANTS.map((count) => [count, []]));
  for (let rep = 1; rep <= REPETITIONS; rep++) {
    const order = rep % 2 === 1 ? VARIANTS : [...VARIANTS].reverse();
    for (const viewers of order) {
      const sample = await watchOneRun({ api, server, cookie, viewers, label: `viewers ${viewers} #${rep}` });
      samples.get(viewers)!.push(sample);
      log(
        `viewers ${viewers} #${rep}: ${sample.delivered}/${sample.expected} deltas, p50 ${ms(sample.p50)} p99 ${ms(sample.p99)} max ${ms(sample.max)}, ` +
          `connect ${ms(sample.connectMs)}, RSS ${mib(sample.rssBase)} → ${mib(sample.rssViewers)} (peak ${mib(sample.rssPeak)}), heap ${mib(sample.heapBase)} → ${mib(sample.heapViewers)}, ` +
          `server CPU ${ms(sample.connectCpuMs)} connecting + ${ms(sample.streamCpuMs)} streaming, viewers' thread ${Math.round(sample.clientBusy * 100)}% busy`,
      );
    }
  }
  return table(samples, server);
}

async function watchOneRun({ api, server, cookie, viewers, label }: { api: BenchApi; server: AppServer; cookie: string; viewers: number; label: string }): Promise<Sample> {
  const prompt = `[${label}] stream to everyone`;
  let openGate = () => {};
  const gate = new Promise<void>((resolve) => (openGate = resolve));
  const writtenAt = api.streamDeltas(prompt, { count: DELTAS, delayMs: DELAY_MS, gate });
  const { runId } = await postMessage({ server, cookie, conversationId: randomUUID(), text: prompt });
  const path = `/api/runs/${runId}/events?after=0`;
  const worker = startWorker({ port: server.port, host: server.host, cookie, path, viewers, deltas: DELTAS, connectConcurrency: CONNECT_CONCURRENCY });
  try {
    await worker.ready(30_000);
    // The run is going: its CLI has asked the model and waits for the reply.
    await until(() => api.requestedAt(prompt) !== undefined, 30_000, 'the CLI never asked the scripted API');
    await sleep(500);
    const base = await memoryAfterGc(server);
    const cpuBeforeConnect = serverCpuMs(server.pid);
    const connected = await worker.connect(90_000);
    const connectCpuMs = serverCpuMs(server.pid) - cpuBeforeConnect;
    if (connected.connected !== viewers) throw new Error(`${label}: ${connected.connected} of ${viewers} viewers connected (${connected.failed} failed)`);
    const withViewers = await memoryAfterGc(server);

    let rssPeak = withViewers.rss;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, serverRss(server.pid))), 500);
    const cpuBeforeStream = serverCpuMs(server.pid);
    worker.streaming();
    openGate();
    let done: ViewersDone;
    try {
      done = await worker.done(60_000 + DELTAS * DELAY_MS * 4);
    } finally {
      clearInterval(sampler);
    }
    const streamCpuMs = serverCpuMs(server.pid) - cpuBeforeStream;
    // The worker's monotonic stamps → this thread's performance.now() (one clock, a fixed offset).
    const offset = monotonicMs() - performance.now();
    const latencies: number[] = [];
    for (let viewer = 0; viewer < viewers; viewer++) {
      for (let index = 0; index < DELTAS; index++) {
        const received = done.receivedAt[viewer * DELTAS + index]!;
        if (!Number.isNaN(received)) latencies.push(received - offset - writtenAt[index]!);
      }
    }
    latencies.sort((a, b) => a - b);
    if (done.errors.length > 0) throw new Error(`${label}: viewer errors: ${done.errors.join('; ')}`);
    return {
      viewers,
      connectMs: connected.connectMs,
      delivered: latencies.length,
      expected: viewers * DELTAS,
      ended: done.ended,
      duplicates: done.duplicates,
      outOfOrder: done.outOfOrder,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? Number.NaN,
      rssBase: base.rss,
      rssViewers: withViewers.rss,
      heapBase: base.heap,
      heapViewers: withViewers.heap,
      rssPeak,
      drainMs: done.lastEndAt - offset - writtenAt[0]!,
      connectCpuMs,
      streamCpuMs,
      clientBusy: done.busy,
    };
  } finally {
    openGate(); // whatever happened, the run goes on to its end rather than hold its CLI
    await worker.stop();
  }
}

/** The viewers' worker thread (see viewers-worker.ts); always stopped by the caller. */
export function startWorker(job: ViewerJob) {
  // tsx's loader does not reach worker threads by itself: register it in the worker first.
  const entry = new URL('./viewers-worker.ts', import.meta.url).href;
  const worker = new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`, { eval: true, workerData: job });
  type Message = ViewersReady | ViewersConnected | ViewersDone;
  const messages: Message[] = [];
  let failure: Error | undefined;
  let wake = () => {};
  worker.on('message', (message: Message) => (messages.push(message), wake()));
  worker.on('error', (error) => ((failure = error), wake()));
  const next = async <T extends Message>(type: T['type'], timeoutMs: number, onTimeout?: () => void): Promise<T> => {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (failure) throw failure;
      const message = messages.find((each) => each.type === type);
      if (message) return message as T;
      if (performance.now() > deadline) {
        if (!onTimeout) throw new Error(`viewers: no '${type}' after ${timeoutMs / 1000} s`);
        onTimeout();
        return next(type, 10_000);
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 250);
      });
    }
  };
  return {
    ready: (timeoutMs: number) => next<ViewersReady>('ready', timeoutMs),
    connect: (timeoutMs: number) => (worker.postMessage('connect'), next<ViewersConnected>('connected', timeoutMs)),
    // Past the deadline, cut the streams and take what arrived.
    done: (timeoutMs: number) => next<ViewersDone>('done', timeoutMs, () => worker.postMessage('finish')),
    streaming: () => worker.postMessage('streaming'),
    stop: () => worker.terminate(),
  };
}

/** A full GC in the server, then its RSS (from /proc) and V8 heap used + external memory. */
async function memoryAfterGc(server: AppServer): Promise<{ rss: number; heap: number }> {
  const usage = await server.collectGarbage();
  return { rss: serverRss(server.pid), heap: usage.heapUsed + usage.external };
}

async function until(check: () => boolean, timeoutMs: number, message: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(message);
    await sleep(20);
  }
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

function table(samples: Map<number, Sample[]>, server: AppServer): string {
  const one = samples.get(1)!;
  const many = samples.get(VIEWERS)!;
  const row = (label: string, pick: (sample: Sample) => number, format: (value: number) => string = ms, withRatio = true) => {
    const a = median(one.map(pick));
    const b = median(many.map(pick));
    return `| ${label} | ${format(a)} | ${format(b)} | ${withRatio ? ratio(b / a) : ''} |`;
  };
  const sum = (list: Sample[], pick: (sample: Sample) => number) => list.reduce((total, sample) => total + pick(sample), 0);
  const count = (value: number) => value.toLocaleString('en-US');
  return [
    `| median of ${REPETITIONS} runs | 1 viewer | ${count(VIEWERS)} viewers | ${count(VIEWERS)} / 1 |`,
    '|---|---:|---:|---:|',
    `| deltas delivered, all runs (expected) | ${count(sum(one, (s) => s.delivered))} (${count(sum(one, (s) => s.expected))}) | ${count(sum(many, (s) => s.delivered))} (${count(sum(many, (s) => s.expected))}) |  |`,
    `| duplicates / out of order / missing \`end\`, all runs | ${sum(one, (s) => s.duplicates)} / ${sum(one, (s) => s.outOfOrder)} / ${sum(one, (s) => s.viewers - s.ended)} | ${sum(many, (s) => s.duplicates)} / ${sum(many, (s) => s.outOfOrder)} / ${sum(many, (s) => s.viewers - s.ended)} |  |`,
    row('delivery latency (API wrote → viewer got), p50', (s) => s.p50),
    row('… p99', (s) => s.p99),
    row('… max', (s) => s.max),
    row('first delta written → last viewer has `end`', (s) => s.drainMs),
    row(`all viewers connected (≤ ${CONNECT_CONCURRENCY} connecting at once)`, (s) => s.connectMs),
    // (/proc counts CPU in 10 ms ticks: too coarse for one viewer's connection.)
    `| server CPU while connecting, per viewer |  | ${ms(median(many.map((s) => s.connectCpuMs / s.viewers)))} |  |`,
    row('server CPU from the first delta to the last `end`', (s) => s.streamCpuMs),
    `| … per extra delivery ((${count(VIEWERS)} viewers − 1 viewer) / ${count((VIEWERS - 1) * DELTAS)}) |  | ${micros(((median(many.map((s) => s.streamCpuMs)) - median(one.map((s) => s.streamCpuMs))) * 1000) / ((VIEWERS - 1) * DELTAS))} |  |`,
    row(
      "viewers' thread busy while streaming (event-loop utilization)",
      (s) => s.clientBusy,
      (v) => `${Math.round(v * 100)}%`,
      false,
    ),
    row('server RSS after a full GC: run going, no viewers', (s) => s.rssBase, mib, false),
    row('… with the viewers connected (before the stream)', (s) => s.rssViewers, mib, false),
    row('… peak while streaming (no forced GC, sampled every 0.5 s)', (s) => s.rssPeak, mib, false),
    `| **server memory per viewer**: RSS (connected − none) / viewers |  | ${perViewer(many, (s) => s.rssViewers - s.rssBase)} |  |`,
    `| … V8 heap used + external (connected − none) / viewers |  | ${perViewer(many, (s) => s.heapViewers - s.heapBase)} |  |`,
    '',
    `Open-files limit (soft): ${openFilesLimit()} for the bench process, ${openFilesLimit(server.pid)} for \`next start\` ` + `(each viewer holds one socket on each side).`,
  ].join('\n');
}

function micros(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(1)} µs` : '–';
}

function perViewer(list: Sample[], growth: (sample: Sample) => number): string {
  const perRun = list.map((s) => growth(s) / s.viewers / 1024);
  return `${median(perRun).toFixed(1)} KiB (runs: ${perRun.map((value) => value.toFixed(1)).join(', ')})`;
}
