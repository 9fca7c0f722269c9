/**
 * What pushes make `/metrics` say: each notification sent, or not and why, counted once per
 * device after its retries (the real run, push service and sender of tests/fixtures/push-run-env.ts).
 */
import { describe, expect, it } from 'vitest';
import { scrapedRegistry } from '@/features/metrics/server/registry';
import { readMetrics } from '@/tests/fixtures/metrics-text';
import { conversationWith, runToEnd, service, setUpPushRunEnv } from '@/tests/fixtures/push-run-env';

setUpPushRunEnv();

const scrape = async () => readMetrics(await scrapedRegistry().metrics());

describe('push metrics', () => {
  it('counts a delivered notice as sent, and a gone or given-up one as failed by reason', async () => {
    const [delivered, gone, down, retried] = [service.subscribe(), service.subscribe(), service.subscribe(), service.subscribe()];
    service.script(gone.endpoint, [{ status: 410 }]);
    service.script(
      down.endpoint,
      Array.from({ length: 10 }, () => ({ status: 500 })),
    );
    service.script(retried.endpoint, [{ status: 500 }]);
    const before = await scrape();
    expect((await runToEnd(await conversationWith([delivered, gone, down, retried]))).status).toBe('completed');
    const after = await scrape();
    const moved = (name: string, labels: Record<string, string> = {}) => after.value(name, labels) - before.value(name, labels);
    expect(moved('tether_push_sent_total')).toBe(2); // the retried one counts once, as sent
    expect(moved('tether_push_failed_total', { reason: 'gone' })).toBe(1);
    expect(moved('tether_push_failed_total', { reason: 'gave_up' })).toBe(1);
    expect(moved('tether_push_failed_total')).toBe(2);
  });
});
