import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AppServer } from './app-server';
import type { BenchApi } from './fake-api';
import { agentPids, agentTreeRss } from './procfs';
import { median, mib, ms, ratio } from './stats';
import { sendThroughTether } from './tether-client';

const REPETITIONS = 7;
const REPLY_DELTAS = 20;
/** Warm agents are reclaimed after this long idle, so each repetition starts with the spare alone. */
const WARM_IDLE_SECONDS = 3;
/** Between repetitions: the warm agents are reclaimed and have exited (the SDK gives a CLI 2 s to), and the spare has long started. */
const SETTLE_MS = (WARM_IDLE_SECONDS + 4) * 1000;
/** Between a first message's `end` and its follow-up, as in the follow-up benchmark. */
const PAUSE_MS = 500;
/** The model a cold new conversation asks for: offered, and not the workspace's default (no spare fits it). */
const OTHER_MODEL = 'claude-haiku-4-5';

/**
 * The server of this benchmark: one pre-warmed agent per active workspace, and a demo workspace
 * that offers plan mode only — so its default mode is the one the bench sends (and no run takes
 * a snapshot), as a visitor's untouched choices are the workspace's defaults.
 */
export const prewarmSetup = {
  env: { TETHER_PREWARMED_AGENTS: '1', TETHER_WARM_IDLE_SECONDS: String(WARM_IDLE_SECONDS) },
  prepare(dataDir: string): void {
    const demo = path.join(dataDir, 'workspaces', 'demo');
    mkdirSync(path.join(demo, 'files'), { recursive: true });
    writeFileSync(path.join(demo, 'workspace.json'), JSON.stringify({ modes: ['plan'] }));
  },
};

type Variant = 'pooled' | 'warm' | 'cold';
type Sample = { ttftMs: number; reused: boolean };

/**
 * A new conversation's first token on a pre-warmed agent, against a warm follow-up and a cold
 * start, through Tether: **pooled**, a new conversation's first message while the workspace's
 * spare waits; **warm**, that conversation's follow-up; **cold**, a new conversation asking for
 * another model, which starts a CLI (the pool's fallback). Plus the resident memory of a waiting
 * spare (its bubblewrap, socat and CLI).
 */
export async function benchPrewarm({ api, server, cookie, log }: { api: BenchApi; server: AppServer; cookie: string; log: (line: string) => void }): Promise<string> {
  const samples: Record<Variant, Sample[]> = { pooled: [], warm: [], cold: [] };
  const spareRss: number[] = [];
  // Untimed: the workspace's first run finds no spare (a miss) and leaves one.
  await message({ api, server, cookie, conversationId: randomUUID(), label: 'prewarm warm-up' });
  for (let rep = 1; rep <= REPETITIONS; rep++) {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const waiting = [...agentTreeRss(server.pid).values()];
    if (waiting.length !== 1) throw new Error(`prewarm #${rep}: expected the spare alone, found ${waiting.length} agents`);
    spareRss.push(waiting[0]!);
    const order = rep % 2 === 1 ? (['new', 'cold'] as const) : (['cold', 'new'] as const);
    for (const step of order) {
      if (step === 'cold') {
        samples.cold.push(await message({ api, server, cookie, conversationId: randomUUID(), label: `prewarm cold #${rep}`, model: OTHER_MODEL }));
        continue;
      }
      const conversationId = randomUUID();
      samples.pooled.push(await message({ api, server, cookie, conversationId, label: `prewarm pooled #${rep}` }));
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
      samples.warm.push(await message({ api, server, cookie, conversationId, label: `prewarm warm #${rep}` }));
    }
    const last = (variant: Variant) => `${ms(samples[variant].at(-1)!.ttftMs)} (CLI reused: ${samples[variant].at(-1)!.reused})`;
    log(`prewarm #${rep}: pooled ${last('pooled')}, warm ${last('warm')}, cold ${last('cold')}; waiting spare ${mib(spareRss.at(-1)!)}`);
  }
  const ttft = (variant: Variant) => median(samples[variant].map((sample) => sample.ttftMs));
  const reused = (variant: Variant) => `${samples[variant].filter((sample) => sample.reused).length} of ${samples[variant].length}`;
  return [
    `| median of ${REPETITIONS} | pre-warmed (new conversation) | warm follow-up | cold start (new conversation, other model) | pooled / warm · cold / pooled |`,
    '|---|---:|---:|---:|---:|',
    `| **send → first text delta** | ${ms(ttft('pooled'))} | ${ms(ttft('warm'))} | ${ms(ttft('cold'))} | ${ratio(ttft('pooled') / ttft('warm'))} · ${ratio(ttft('cold') / ttft('pooled'))} |`,
    `| served by a CLI that was running before the send | ${reused('pooled')} | ${reused('warm')} | ${reused('cold')} | |`,
    `| memory of a waiting spare (RSS of its bubblewrap, socat and CLI) | ${mib(median(spareRss))} | | | |`,
  ].join('\n');
}

async function message({
  api,
  server,
  cookie,
  conversationId,
  label,
  model,
}: {
  api: BenchApi;
  server: AppServer;
  cookie: string;
  conversationId: string;
  label: string;
  model?: string;
}): Promise<Sample> {
  const text = `[${label}] message`;
  api.streamDeltas(text, { count: REPLY_DELTAS, delayMs: 0 });
  const before = agentPids(server.pid);
  let firstAt = Number.NaN;
  let during: Promise<Set<number>> | undefined;
  const { sentAt } = await sendThroughTether({
    server,
    cookie,
    conversationId,
    text,
    ...(model ? { model } : {}),
    onEvent: (event, at) => {
      if (event.type !== 'text' || !Number.isNaN(firstAt)) return;
      firstAt = at;
      // Which CLIs exist while it streams (read after the stamp, off the timed path).
      during = new Promise((resolve) => setImmediate(() => resolve(agentPids(server.pid))));
    },
  });
  const serving = await during;
  if (!serving) throw new Error(`${label}: no text delta arrived`);
  return { ttftMs: firstAt - sentAt, reused: serving.size > 0 && [...serving].every((pid) => before.has(pid)) };
}
