import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { send, visitorCookie, type AppServer } from './app-server';
import type { BenchApi } from './fake-api';
import { median, ms, percentile } from './stats';
import { BENCH_MODEL, readEvents } from './tether-client';

export const loadSetup = { visitors: 40, messagesEach: 2, replyDeltas: 20, deltaDelayMs: 10 };

type Sample = { answeredMs: number; waitMs: number; doneMs: number; refusals: number };

/**
 * Many visitors sharing one server's agent slots: each of `visitors` sends `messagesEach`
 * messages in a conversation of its own, all at once, one after the other within a visitor.
 * A 429 is honoured (wait Retry-After, send again), as the browser's user would. Measures each
 * message's wait (send → first text delta: queue, CLI start) and counts every status by class.
 */
export async function benchLoad({ api, server, log }: { api: BenchApi; server: AppServer; log: (line: string) => void }): Promise<string> {
  const { visitors, messagesEach, replyDeltas, deltaDelayMs } = loadSetup;
  const cookies = await Promise.all(Array.from({ length: visitors }, () => visitorCookie(server)));
  const statuses = new Map<string, number>();
  const samples: Sample[] = [];
  const started = performance.now();
  await Promise.all(
    cookies.map(async (cookie, visitor) => {
      const conversationId = randomUUID();
      for (let message = 0; message < messagesEach; message++) {
        const text = `[load v${visitor} m${message}]`;
        api.streamDeltas(text, { count: replyDeltas, delayMs: deltaDelayMs });
        samples.push(await oneMessage({ server, cookie, conversationId, text, statuses }));
      }
    }),
  );
  const tookMs = performance.now() - started;
  const waits = samples.map((sample) => sample.waitMs);
  log(`load: ${samples.length} messages in ${ms(tookMs)}, wait p50 ${ms(percentile(waits, 50))} p99 ${ms(percentile(waits, 99))}`);
  const count = (kind: string) => statuses.get(kind) ?? 0;
  return [
    `| ${visitors} visitors × ${messagesEach} messages, all at once | value |`,
    '|---|---:|',
    `| messages answered (of ${visitors * messagesEach}) | ${samples.length} |`,
    `| wait per message (send → first text delta: queue + CLI start), p50 | ${ms(percentile(waits, 50))} |`,
    `| … p99 | ${ms(percentile(waits, 99))} |`,
    `| … max | ${ms(Math.max(...waits))} |`,
    `| send → \`202\` (the last send, 429s included), p50 / max | ${ms(
      percentile(
        samples.map((sample) => sample.answeredMs),
        50,
      ),
    )} / ${ms(Math.max(...samples.map((sample) => sample.answeredMs)))} |`,
    `| send → \`end\`, median | ${ms(median(samples.map((sample) => sample.doneMs)))} |`,
    `| answers: 202 / 429 (then retried after Retry-After) / other 4xx / **5xx** | ${count('202')} / ${count('429')} / ${count('4xx')} / **${count('5xx')}** |`,
    `| all done in | ${ms(tookMs)} |`,
  ].join('\n');
}

async function oneMessage({
  server,
  cookie,
  conversationId,
  text,
  statuses,
}: {
  server: AppServer;
  cookie: string;
  conversationId: string;
  text: string;
  statuses: Map<string, number>;
}): Promise<Sample> {
  const sentAt = performance.now();
  let refusals = 0;
  for (;;) {
    const postedAt = performance.now();
    const posted = await send(server, { method: 'POST', path: `/api/conversations/${conversationId}/messages`, cookie, json: { text, model: BENCH_MODEL, mode: 'plan' } });
    const kind = posted.status === 202 || posted.status === 429 ? String(posted.status) : posted.status >= 500 ? '5xx' : '4xx';
    statuses.set(kind, (statuses.get(kind) ?? 0) + 1);
    if (posted.status === 429) {
      refusals += 1;
      await new Promise((resolve) => setTimeout(resolve, Number(posted.headers['retry-after'] ?? 1) * 1000));
      continue;
    }
    if (posted.status !== 202) throw new Error(`load: send answered ${posted.status}: ${posted.body}`);
    const answeredMs = performance.now() - postedAt;
    const runId = (JSON.parse(posted.body) as { run: { id: string } }).run.id;
    let firstAt = Number.NaN;
    const { endAt } = await readEvents({ server, cookie, path: `/api/runs/${runId}/events?after=0`, timeoutMs: 300_000 }, (event, at) => {
      if (event.type === 'text' && Number.isNaN(firstAt)) firstAt = at;
    });
    return { answeredMs, waitMs: firstAt - sentAt, doneMs: endAt - sentAt, refusals };
  }
}
