import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { followRun } from '@/features/timeline/follower/follow-run';
import type { RunEvent } from '@/features/timeline';
import { CONTINUED_NOTICE } from '@/features/timeline/vocabulary';
import { hostFetch } from '@/tests/fixtures/host-fetch';
import { startAppServer, visitorCookie, type AppServer } from './app-server';
import type { BenchApi } from './fake-api';
import { startCluster, type Cluster } from './scale-out';
import { median, ms } from './stats';
import { postMessage } from './tether-client';

const REPETITIONS = 3;
const DEPLOY_RUNS = 10;
/** What the scripted model is told when a run is continued (the start of the continuation prompt). */
const CONTINUED_PROMPT = 'The server restarted while you were working';

export const continuationSetup = { repetitions: REPETITIONS, deployRuns: DEPLOY_RUNS };

/**
 * Runs that survive their server. Kill → the continued run's first new token: one instance killed
 * (SIGKILL) mid-run and started again on its data folder, and two instances where the live one
 * takes the run over after the stale time (3 s here). Then a drained deploy of two instances, one
 * after the other, while 10 runs stream: the runs lost and the longest gap a viewer saw. Viewers
 * use the app's own follower, reconnecting (with its backoff) to whichever instance is up, as
 * behind a balancer.
 */
export async function benchContinuation({ api, root, build, env, log }: { api: BenchApi; root: string; build: string; env: Record<string, string>; log: (line: string) => void }): Promise<string> {
  mkdirSync(`${root}/continuation`, { recursive: true });
  api.streamDeltas(CONTINUED_PROMPT, { count: 40, delayMs: 25 });
  const settings = { ...env, TETHER_INSTANCE_STALE_SECONDS: '3', TETHER_DRAIN_SECONDS: '2', TETHER_CONTINUE_ATTEMPTS: '2', TETHER_MAX_AGENT_PROCESSES: '12' };
  const single = await killSingle({ api, build, dataDir: `${root}/continuation/single`, env: settings, log });
  const cluster = await startCluster({ root: `${root}/continuation`, build, env: settings });
  try {
    const takeover = await killInCluster({ api, cluster, log });
    const deploy = await drainedDeploy({ api, cluster, log });
    const row = (what: string, figures: { viewer: number[]; request: number[] }) => `| ${what} | ${ms(median(figures.request))} | ${ms(median(figures.viewer))} |`;
    return [
      `| kill → …, median of ${REPETITIONS} | the continuation's first model request | its first new token at a viewer |`,
      '|---|---:|---:|',
      row('one instance, SIGKILL, started again (includes the restart)', single),
      row('two instances, SIGKILL of the owner (includes the 3 s stale time)', takeover),
      '',
      `| drained deploy of two instances, one after the other, ${DEPLOY_RUNS} runs streaming (\`TETHER_DRAIN_SECONDS=2\`) | figure |`,
      '|---|---:|',
      `| runs lost (did not end \`completed\`) | ${deploy.lost} |`,
      `| longest gap a viewer saw between two events | ${ms(deploy.longestGap)} |`,
      `| median of the viewers' longest gaps | ${ms(deploy.medianGap)} |`,
    ].join('\n');
  } finally {
    await cluster.stop();
  }
}

/** Follows `runId` with the app's follower on whichever server `target` names at each (re)connection; resolves with the `end`. */
function follow({ runId, cookie, target, onEvent }: { runId: string; cookie: string; target: () => AppServer; onEvent: (event: RunEvent, at: number) => void }) {
  let end: Extract<RunEvent, { type: 'end' }> | undefined;
  const done = followRun({
    url: ({ after }) => `/api/runs/${runId}/events?after=${after}`,
    after: 0,
    headers: { cookie },
    fetch: (input, init) => {
      const server = target();
      return hostFetch({ port: server.port, host: server.host })(input, init);
    },
    onEvent: (event) => {
      if (event.type === 'end') end = event;
      onEvent(event, performance.now());
    },
    signal: AbortSignal.timeout(180_000),
  });
  return done.then(() => end);
}

/** Times from `killedAt`: the continuation's model request, and the first text a viewer got after the "Continued" notice. */
function continuationWatch() {
  const watch = { killedAt: 0, continuedAt: 0, resumed: false };
  const onEvent = (event: RunEvent, at: number) => {
    if (event.type === 'notice' && event.message === CONTINUED_NOTICE) watch.resumed = true;
    else if (event.type === 'text' && watch.resumed && !watch.continuedAt) watch.continuedAt = at;
  };
  return { watch, onEvent };
}

async function killSingle({ api, build, dataDir, env, log }: { api: BenchApi; build: string; dataDir: string; env: Record<string, string>; log: (line: string) => void }) {
  const figures = { viewer: [] as number[], request: [] as number[] };
  let server = await startAppServer({ root: build, dataDir, env });
  for (let rep = 1; rep <= REPETITIONS; rep++) {
    const cookie = await visitorCookie(server);
    const prompt = `[continuation single #${rep}] stream`;
    api.streamDeltas(prompt, { count: 400, delayMs: 25 });
    const { runId } = await postMessage({ server, cookie, conversationId: randomUUID(), text: prompt });
    const { watch, onEvent } = continuationWatch();
    let restarted: Promise<void> | undefined;
    let failure = '';
    const end = await follow({
      runId,
      cookie,
      target: () => server,
      onEvent: (event, at) => {
        onEvent(event, at);
        if (event.type === 'error') failure = event.message;
        if (event.type !== 'text' || restarted) return;
        watch.killedAt = at;
        restarted = server.kill().then(async () => void (server = await startAppServer({ root: build, dataDir, env })));
      },
    });
    await restarted;
    if (end?.status !== 'completed') throw new Error(`the continued run ended ${end?.status}: ${failure}`);
    figures.request.push(api.requestedAt(CONTINUED_PROMPT)! - watch.killedAt);
    figures.viewer.push(watch.continuedAt - watch.killedAt);
    log(`continuation, one instance #${rep}: model asked after ${ms(figures.request.at(-1)!)}, viewer's first new token after ${ms(figures.viewer.at(-1)!)}`);
  }
  await server.stop();
  return figures;
}

async function killInCluster({ api, cluster, log }: { api: BenchApi; cluster: Cluster; log: (line: string) => void }) {
  const figures = { viewer: [] as number[], request: [] as number[] };
  for (let rep = 1; rep <= REPETITIONS; rep++) {
    const prompt = `[continuation cluster #${rep}] stream`;
    api.streamDeltas(prompt, { count: 400, delayMs: 25 });
    const { runId } = await postMessage({ server: cluster.a, cookie: cluster.cookie, conversationId: randomUUID(), text: prompt });
    const { watch, onEvent } = continuationWatch();
    let killed: Promise<void> | undefined;
    const end = await follow({
      runId,
      cookie: cluster.cookie,
      target: () => cluster.b,
      onEvent: (event, at) => {
        onEvent(event, at);
        if (event.type !== 'text' || killed) return;
        watch.killedAt = at;
        killed = cluster.a.kill();
      },
    });
    await killed;
    if (end?.status !== 'completed') throw new Error(`the taken-over run ended ${end?.status}`);
    figures.request.push(api.requestedAt(CONTINUED_PROMPT)! - watch.killedAt);
    figures.viewer.push(watch.continuedAt - watch.killedAt);
    log(`continuation, two instances #${rep}: model asked after ${ms(figures.request.at(-1)!)}, viewer's first new token after ${ms(figures.viewer.at(-1)!)}`);
    await cluster.restart('a');
  }
  return figures;
}

/** Drains A (its runs go to B), starts it again, then drains B (its runs go to A), while the runs stream. */
async function drainedDeploy({ api, cluster, log }: { api: BenchApi; cluster: Cluster; log: (line: string) => void }) {
  let up: Array<'a' | 'b'> = ['a', 'b'];
  let turn = 0;
  const target = () => cluster[up[turn++ % up.length]!];
  const runs = await Promise.all(
    Array.from({ length: DEPLOY_RUNS }, async (_, index) => {
      const server = index % 2 === 0 ? cluster.a : cluster.b;
      const cookie = await visitorCookie(server); // a visitor each: runs at once are per visitor
      const prompt = `[continuation deploy #${index}] stream`;
      api.streamDeltas(prompt, { count: 600, delayMs: 25 });
      return { cookie, runId: (await postMessage({ server, cookie, conversationId: randomUUID(), text: prompt })).runId };
    }),
  );
  const viewers = runs.map(({ runId, cookie }) => {
    let last = performance.now();
    let longestGap = 0;
    let failure = '';
    const onEvent = (event: RunEvent, at: number) => {
      longestGap = Math.max(longestGap, at - last);
      last = at;
      if (event.type === 'error') failure = event.message;
    };
    return follow({ runId, cookie, target, onEvent }).then((end) => {
      if (end?.status !== 'completed') log(`continuation deploy: run ${runId} ended ${end?.status ?? 'without an end'}${failure ? `: ${failure}` : ''}`);
      return { completed: end?.status === 'completed', longestGap };
    });
  });
  const deploy = (async () => {
    for (const name of ['a', 'b'] as const) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      up = up.filter((other) => other !== name); // its health check says draining: the balancer sends no new connection
      await cluster[name].stop();
      await cluster.restart(name);
      up = ['a', 'b'];
      log(`continuation deploy: ${name} drained and started again`);
    }
  })();
  const [results] = await Promise.all([Promise.all(viewers), deploy]);
  const gaps = results.map((result) => result.longestGap);
  return { lost: results.filter((result) => !result.completed).length, longestGap: Math.max(...gaps), medianGap: median(gaps) };
}
