/**
 * Fan-out of one notice to 2,000 subscriptions on the test push service (HTTPS, self-signed, in a
 * child process): Tether's PushSender (VAPID header cached per origin) vs a plain loop of
 * web-push's sendNotification (a new JWT per message), same concurrency, same keep-alive agent.
 */
import { fork, type ChildProcess } from 'node:child_process';
import https from 'node:https';
import path from 'node:path';
import webpush from 'web-push';
import { PushSender } from '@/features/push/server/sender';
import type { TestSubscription } from '../../tests/fixtures/push-service';
import { median, ratio } from './stats';

const COUNT = 2000;
const CONCURRENCY = 16;
const ROUNDS = 3;

type Ready = { origin: string; ca: string; subscriptions: TestSubscription[] };

export async function benchPushFanout({ log }: { log: (line: string) => void }): Promise<string> {
  const child = fork(path.join(import.meta.dirname, 'push-service-child.ts'), [String(COUNT)], { execArgv: ['--import', 'tsx'] });
  try {
    const ready = await nextMessage<Ready>(child);
    const agent = new https.Agent({ ca: ready.ca, keepAlive: true, maxSockets: CONCURRENCY });
    const keys = { ...webpush.generateVAPIDKeys(), subject: 'mailto:bench@example.com' };
    const payload = JSON.stringify({ title: 'Task is ready', body: 'claude-sonnet-4-5 in build mode is done working', data: { conversationId: 'bench', url: '/?c=bench' } });
    const topic = 'benchtopic';

    const cached = async () => {
      const sender = new PushSender({ keys, extraHosts: ['127.0.0.1'], agent, concurrency: CONCURRENCY, retry: { attempts: 1 } });
      const outcomes = await sender.sendAll(ready.subscriptions.map((s) => ({ subscription: { endpoint: s.endpoint, ...s.keys }, payload, topic })));
      return outcomes.filter((o) => o !== 'sent').length;
    };
    const plain = async () => {
      let next = 0;
      let failed = 0;
      const worker = async () => {
        while (next < ready.subscriptions.length) {
          const subscription = ready.subscriptions[next++]!;
          await webpush.sendNotification(subscription, payload, { vapidDetails: keys, TTL: 3600, urgency: 'high', topic, agent, contentEncoding: 'aes128gcm' }).catch(() => failed++);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      return failed;
    };

    const sides = { cached: { rate: [] as number[], cpu: [] as number[] }, plain: { rate: [] as number[], cpu: [] as number[] } };
    await cached(); // warm-up: TLS sessions, JIT
    await plain();
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, run] of [
        ['cached', cached],
        ['plain', plain],
      ] as const) {
        const cpu = process.cpuUsage();
        const started = performance.now();
        const failed = await run();
        const wall = performance.now() - started;
        const used = process.cpuUsage(cpu);
        if (failed > 0) throw new Error(`${name}: ${failed} of ${COUNT} notifications failed`);
        sides[name].rate.push(COUNT / (wall / 1000));
        sides[name].cpu.push((used.user + used.system) / COUNT);
        log(`push fan-out ${name} round ${round + 1}: ${Math.round(COUNT / (wall / 1000))}/s, ${((used.user + used.system) / COUNT).toFixed(0)} µs CPU each`);
      }
    }
    child.send('count');
    const { received, bad } = await nextMessage<{ received: number; bad: number }>(child);
    agent.destroy();
    const row = (name: string, side: { rate: number[]; cpu: number[] }) => `| ${name} | ${Math.round(median(side.rate))} | ${median(side.cpu).toFixed(0)} µs |`;
    return [
      '| Sender | Notifications/s (median of 3) | Sender CPU per notification (median) |',
      '|---|---|---|',
      row('Tether `PushSender` (VAPID header cached per origin)', sides.cached),
      row('plain `webpush.sendNotification` loop', sides.plain),
      `| **ratio (cached / plain)** | ${ratio(median(sides.cached.rate) / median(sides.plain.rate))} | ${ratio(median(sides.cached.cpu) / median(sides.plain.cpu))} |`,
      '',
      `${COUNT.toLocaleString('en')} subscriptions, ${CONCURRENCY} requests in flight, aes128gcm payload of ${payload.length} bytes, one keep-alive agent; the push service verified every`,
      `JWT (${received.toLocaleString('en')} requests, ${bad} refused) in its own process. CPU = this process's user + system time over the fan-out.`,
    ].join('\n');
  } finally {
    child.send('stop');
  }
}

function nextMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve(message as T));
    child.once('exit', (code) => reject(new Error(`push service exited (${code})`)));
  });
}
