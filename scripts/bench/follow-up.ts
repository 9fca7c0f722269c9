import { randomUUID } from 'node:crypto';
import type { AppServer } from './app-server';
import type { BenchApi } from './fake-api';
import { agentPids } from './procfs';
import { median, ms, ratio } from './stats';
import { sendThroughTether } from './tether-client';

const REPETITIONS = 5;
const REPLY_DELTAS = 20;
/** Between `end` and the follow-up, as a reader would pause (it also lets a closed CLI finish exiting). */
const PAUSE_MS = 500;

/** A Tether server and a visitor on it. */
export type Target = { server: AppServer; cookie: string };
/** `switched`: on the warm server, the follow-up asks for another model (the warm process switches in place). */
type Variant = 'warm' | 'cold' | 'switched';
/** The model a `switched` follow-up asks for (offered by default, and not the bench's). */
const SWITCHED_MODEL = 'claude-haiku-4-5';

type Sample = {
  /** send → first text delta on the run's SSE stream (the follow-up's time to first token). */
  ttftMs: number;
  /** send → `202` (the run is started). */
  answeredMs: number;
  /** send → the CLI's request reaches the scripted API (Tether + CLI start or wake-up). */
  requestMs: number;
  /** first delta written by the API → received by the SSE client. */
  relayMs: number;
  doneMs: number;
  /** The follow-up was served by a CLI process that was already running before it was sent. */
  reused: boolean;
};

/**
 * The follow-up message of a new two-message conversation, through Tether: `warm` keeps the
 * conversation's CLI alive between the two (TETHER_WARM_IDLE_SECONDS default), `cold` is a server
 * with TETHER_WARM_IDLE_SECONDS=0, where the follow-up starts a new CLI that resumes the session.
 */
export async function benchFollowUp({ api, warm, cold, log }: { api: BenchApi; warm: Target; cold: Target; log: (line: string) => void }): Promise<string> {
  const targets: Record<Variant, Target> = { warm, cold, switched: warm };
  // One untimed conversation on each first (the cold server has not run anything yet: JIT, first CLI start).
  for (const variant of ['warm', 'cold', 'switched'] as const) await followUp({ api, target: targets[variant], label: `follow-up ${variant} warm-up`, switched: variant === 'switched' });
  const samples: Record<Variant, Sample[]> = { warm: [], cold: [], switched: [] };
  for (let rep = 1; rep <= REPETITIONS; rep++) {
    const order: Variant[] = rep % 2 === 1 ? ['warm', 'cold', 'switched'] : ['switched', 'cold', 'warm'];
    for (const variant of order) {
      const sample = await followUp({ api, target: targets[variant], label: `follow-up ${variant} #${rep}`, switched: variant === 'switched' });
      samples[variant].push(sample);
      log(
        `follow-up ${variant} #${rep}: first token ${ms(sample.ttftMs)} (202 after ${ms(sample.answeredMs)}, API asked after ${ms(sample.requestMs)}), end ${ms(sample.doneMs)}, CLI reused: ${sample.reused}`,
      );
    }
  }
  return table(samples);
}

async function followUp({ api, target: { server, cookie }, label, switched }: { api: BenchApi; target: Target; label: string; switched: boolean }): Promise<Sample> {
  const conversationId = randomUUID();
  const first = `[${label}] first message`;
  api.replyText(first, 'A short first answer.');
  await sendThroughTether({ server, cookie, conversationId, text: first });
  await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));

  const second = `[${label}] follow-up`;
  const writtenAt = api.streamDeltas(second, { count: REPLY_DELTAS, delayMs: 0 });
  const before = agentPids(server.pid);
  let firstAt = Number.NaN;
  let servedBy: Promise<Set<number>> | undefined;
  const { sentAt, answeredAt, endAt } = await sendThroughTether({
    server,
    cookie,
    conversationId,
    text: second,
    ...(switched ? { model: SWITCHED_MODEL } : {}),
    onEvent: (event, at) => {
      if (event.type !== 'text' || !Number.isNaN(firstAt)) return;
      firstAt = at;
      // Which CLIs exist while this one streams (read after the stamp, off the timed path).
      servedBy = new Promise((resolve) => setImmediate(() => resolve(agentPids(server.pid))));
    },
  });
  const during = await servedBy;
  if (!during) throw new Error(`${label}: no text delta arrived`);
  const requestedAt = api.requestedAt(second);
  if (requestedAt === undefined) throw new Error(`${label}: the follow-up never reached the scripted API`);
  return {
    ttftMs: firstAt - sentAt,
    answeredMs: answeredAt - sentAt,
    requestMs: requestedAt - sentAt,
    relayMs: firstAt - writtenAt[0]!,
    doneMs: endAt - sentAt,
    reused: during.size > 0 && [...during].every((pid) => before.has(pid)),
  };
}

function table(samples: Record<Variant, Sample[]>): string {
  const row = (label: string, pick: (sample: Sample) => number, withRatio = true) => {
    const [warm, cold, switched] = (['warm', 'cold', 'switched'] as const).map((variant) => median(samples[variant].map(pick)));
    return `| ${label} | ${ms(warm!)} | ${ms(switched!)} | ${ms(cold!)} | ${withRatio ? `${ratio(cold! / warm!)} · ${ratio(cold! / switched!)}` : ''} |`;
  };
  const reused = (variant: Variant) => `${samples[variant].filter((s) => s.reused).length} of ${samples[variant].length}`;
  return [
    `| median of ${REPETITIONS} follow-ups | warm process | warm, model switched | cold start (resume) | cold / warm · cold / switched |`,
    '|---|---:|---:|---:|---:|',
    row('**send → first text delta** (time to first token)', (s) => s.ttftMs),
    row('… send → `202` (run started)', (s) => s.answeredMs),
    row('… send → the CLI asks the model API', (s) => s.requestMs),
    row('… first delta written by the API → on the SSE stream', (s) => s.relayMs, false),
    row(`send → \`end\` (${REPLY_DELTAS}-delta reply)`, (s) => s.doneMs),
    `| follow-ups served by a CLI that was running before the send | ${reused('warm')} | ${reused('switched')} | ${reused('cold')} |  |`,
  ].join('\n');
}
