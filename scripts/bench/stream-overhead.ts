import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { query } from '@anthropic-ai/claude-agent-sdk';
import { agentOptions } from '@/features/agents/server';
import { sandboxState } from '@/features/sandbox/server';
import { doorRules, ModelDoor } from '@/features/sandbox/server';
import { loopbackBridge } from '@/features/sandbox/server';
import type { Workspace } from '@/features/workspaces/server';
import type { AppServer } from './app-server';
import type { BenchApi } from './fake-api';
import { deltaIndices } from './sse';
import { median, ms, percentile, ratio } from './stats';
import { BENCH_MODEL, sendThroughTether } from './tether-client';

const DELTAS = 2000;
const REPETITIONS = 5;
/**
 * paced: one delta per ~1 ms timer tick (a fast model is ~100 tokens/s; this is 10× that),
 * so the added latency is per-event relaying, not a queue. burst: all 2,000 deltas written in
 * one go, which measures throughput: how long each path takes to drain a backlog.
 */
const VARIANTS = [
  { name: 'paced (1 ms between deltas)', delayMs: 1 },
  { name: 'burst (no delay)', delayMs: 0 },
] as const;

type Sample = { firstMs: number; lastMs: number; doneMs: number; addedP50: number; addedP99: number; received: number };
type Side = 'direct' | 'tether';

export async function benchStreamOverhead({
  api,
  server,
  cookie,
  workspace,
  log,
}: {
  api: BenchApi;
  server: AppServer;
  cookie: string;
  workspace: Workspace;
  log: (line: string) => void;
}): Promise<string> {
  const run = (side: Side, delayMs: number, label: string) =>
    side === 'direct' ? viaSdk({ api, workspace, delayMs, prompt: `bench ${label}` }) : viaTether({ api, server, cookie, delayMs, prompt: `bench ${label}` });

  // One untimed run each first: the first CLI start and the server's first run are slower (cold caches, JIT).
  await run('direct', 1, 'warm-up direct');
  await run('tether', 1, 'warm-up tether');

  const sections: string[] = [];
  for (const variant of VARIANTS) {
    const samples: Record<Side, Sample[]> = { direct: [], tether: [] };
    for (let rep = 1; rep <= REPETITIONS; rep++) {
      // Alternate, so drift in machine load hits both sides alike.
      for (const side of ['direct', 'tether'] as const) {
        const sample = await run(side, variant.delayMs, `${variant.delayMs}ms ${side} ${rep}`);
        samples[side].push(sample);
        log(`stream ${variant.name} ${side} #${rep}: done ${ms(sample.doneMs)}, added p50 ${ms(sample.addedP50)} p99 ${ms(sample.addedP99)}`);
      }
    }
    sections.push(table(variant.name, samples));
  }
  return sections.join('\n\n');
}

async function viaSdk({ api, workspace, delayMs, prompt }: { api: BenchApi; workspace: Workspace; delayMs: number; prompt: string }): Promise<Sample> {
  const writtenAt = api.streamDeltas(prompt, { count: DELTAS, delayMs });
  const receivedAt: number[] = [];
  let doneAt = Number.NaN;
  const started = performance.now();
  const endpoint = { apiKey: 'bench', baseUrl: api.url, demo: false };
  // Behind a door of its own, as every agent process is; the direct side skips only Tether's server.
  const door = new ModelDoor({ ...doorRules(workspace, endpoint), models: [BENCH_MODEL] });
  door.open({ onSpend: () => {} });
  const loopback = sandboxState().sandboxed ? null : await loopbackBridge(endpoint);
  const agent = query({
    prompt,
    options: agentOptions({ conversationId: randomUUID(), workspace, mode: 'plan', model: BENCH_MODEL, resume: undefined, endpoint, door, loopback }),
  });
  try {
    for await (const message of agent) {
      const now = performance.now();
      if (message.type === 'stream_event' && message.event.type === 'content_block_delta' && message.event.delta.type === 'text_delta') {
        for (const index of deltaIndices(message.event.delta.text)) receivedAt[index] = now;
      } else if (message.type === 'result') {
        if (message.is_error) throw new Error(`direct run failed: ${JSON.stringify(message)}`);
        doneAt = now;
      }
    }
  } finally {
    agent.close();
  }
  return sample({ started, doneAt, writtenAt, receivedAt });
}

async function viaTether({ api, server, cookie, delayMs, prompt }: { api: BenchApi; server: AppServer; cookie: string; delayMs: number; prompt: string }): Promise<Sample> {
  const writtenAt = api.streamDeltas(prompt, { count: DELTAS, delayMs });
  const receivedAt: number[] = [];
  const { sentAt, endAt } = await sendThroughTether({
    server,
    cookie,
    conversationId: randomUUID(), // a fresh session every time, as in the direct run
    text: prompt,
    onEvent: (event, at) => {
      if (event.type === 'text') for (const index of deltaIndices(event.text)) receivedAt[index] = at;
    },
  });
  return sample({ started: sentAt, doneAt: endAt, writtenAt, receivedAt });
}

function sample({ started, doneAt, writtenAt, receivedAt }: { started: number; doneAt: number; writtenAt: number[]; receivedAt: number[] }): Sample {
  const added = writtenAt.map((written, index) => receivedAt[index]! - written).filter(Number.isFinite);
  return {
    firstMs: receivedAt[0]! - started,
    lastMs: receivedAt[DELTAS - 1]! - started,
    doneMs: doneAt - started,
    addedP50: percentile(added, 50),
    addedP99: percentile(added, 99),
    received: added.length,
  };
}

function table(name: string, samples: Record<Side, Sample[]>): string {
  const row = (label: string, pick: (sample: Sample) => number, format = ms, withRatio = true) => {
    const direct = median(samples.direct.map(pick));
    const tether = median(samples.tether.map(pick));
    return `| ${label} | ${format(direct)} | ${format(tether)} | ${withRatio ? ratio(tether / direct) : ''} |`;
  };
  return [
    `#### ${name}`,
    '',
    '| median of runs | direct SDK `query()` | through Tether (SSE) | Tether / direct |',
    '|---|---:|---:|---:|',
    row(
      'deltas received (of 2,000)',
      (s) => s.received,
      (v) => String(v),
      false,
    ),
    row('send → first delta', (s) => s.firstMs),
    row('send → last delta', (s) => s.lastMs),
    row('send → done (`result` / `end` event)', (s) => s.doneMs),
    row('added latency per delta, p50', (s) => s.addedP50, ms, false),
    row('added latency per delta, p99', (s) => s.addedP99, ms, false),
  ].join('\n');
}
