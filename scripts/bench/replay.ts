import { randomUUID } from 'node:crypto';
import type { AppServer } from './app-server';
import type { BenchApi } from './fake-api';
import { kib, median, ms, ratio } from './stats';
import { readEvents, sendThroughTether, type EventsRead } from './tether-client';

/** start + 4,998 text deltas + end = 5,000 events. */
const DELTAS = 4998;
const EVENTS = DELTAS + 2;
const REPETITIONS = 7;
/** Re-attaching from the start, from half-way, and (for the fixed cost of a request) with only `end` left. */
const VARIANTS = [0, EVENTS / 2, EVENTS - 1] as const;

type Sample = { firstByteMs: number; caughtUpMs: number; events: number; bodyBytes: number; wireBytes: number };

export async function benchReplay({ api, server, cookie, log }: { api: BenchApi; server: AppServer; cookie: string; log: (line: string) => void }): Promise<string> {
  const prompt = '[replay] a long answer';
  api.streamDeltas(prompt, { count: DELTAS, delayMs: 0 });
  const live = await sendThroughTether({ server, cookie, conversationId: randomUUID(), text: prompt });
  if (live.end.seq !== EVENTS) throw new Error(`the replay run has ${live.end.seq} events, expected ${EVENTS} (did the CLI merge deltas?)`);
  log(`replay: a finished run of ${live.end.seq} events (live: send → end ${ms(live.endAt - live.sentAt)})`);

  const path = (after: number) => `/api/runs/${live.runId}/events?after=${after}`;
  // One untimed request first (JIT of the replay path).
  await readEvents({ server, cookie, path: path(0), agent: false });
  const samples = new Map<number, Sample[]>(VARIANTS.map((after) => [after, []]));
  for (let rep = 0; rep < REPETITIONS; rep++) {
    // Rotate the order, so drift in machine load hits every variant alike.
    const order = VARIANTS.map((_, index) => VARIANTS[(index + rep) % VARIANTS.length]!);
    for (const after of order) {
      // A socket of its own (no keep-alive): its byte count is this response's.
      const read: EventsRead = await readEvents({ server, cookie, path: path(after), agent: false });
      if (read.events !== EVENTS - after) throw new Error(`after=${after}: ${read.events} events, expected ${EVENTS - after}`);
      samples
        .get(after)!
        .push({ firstByteMs: read.firstByteAt - read.requestedAt, caughtUpMs: read.endAt - read.requestedAt, events: read.events, bodyBytes: read.bodyBytes, wireBytes: read.wireBytes });
    }
  }
  for (const after of VARIANTS) log(`replay after=${after}: caught up in ${ms(median(samples.get(after)!.map((s) => s.caughtUpMs)))}`);
  return table(samples);
}

function table(samples: Map<number, Sample[]>): string {
  const cells = (pick: (sample: Sample) => number, format: (value: number) => string) => VARIANTS.map((after) => format(median(samples.get(after)!.map(pick))));
  const row = (label: string, pick: (sample: Sample) => number, format: (value: number) => string = ms) => {
    const [full, half] = VARIANTS.map((after) => median(samples.get(after)!.map(pick)));
    return `| ${label} | ${cells(pick, format).join(' | ')} | ${ratio(full! / half!)} |`;
  };
  const count = (value: number) => value.toLocaleString('en-US');
  return [
    `| median of ${REPETITIONS} re-attaches | \`after=0\` | \`after=${VARIANTS[1]}\` | \`after=${VARIANTS[2]}\` (only \`end\`) | 0 / ${VARIANTS[1]} |`,
    '|---|---:|---:|---:|---:|',
    `| events received | ${cells((s) => s.events, count).join(' | ')} |  |`,
    row('request → first byte (`: ok`)', (s) => s.firstByteMs),
    row('**request → `end` received (caught up)**', (s) => s.caughtUpMs),
    row('response body', (s) => s.bodyBytes, kib),
    row('bytes on the wire (headers, chunked framing)', (s) => s.wireBytes, kib),
  ].join('\n');
}
