import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPushService, type PushService } from '@/tests/fixtures/push-service';
import { parseRetryAfter, PushSender } from './sender';
import { VapidHeaderCache } from './vapid';

const keys = { ...webpush.generateVAPIDKeys(), subject: 'https://tether.example/contact' };
let service: PushService;
/** A subscription as the database keeps it. */
const device = () => {
  const {
    endpoint,
    keys: { p256dh, auth },
  } = service.subscribe();
  return { endpoint, p256dh, auth };
};

beforeAll(async () => {
  Object.assign(process.env, { TETHER_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tether-sender-')), LOG_LEVEL: 'error' });
  service = await startPushService();
});
afterAll(() => service.close());

describe('PushSender', () => {
  it('never contacts an endpoint off the allow-list or not https, whatever the database holds', async () => {
    const sender = new PushSender({ keys, extraHosts: [], agent: service.agent });
    const target = device();
    expect(await sender.send(target, '{}')).toBe('refused'); // 127.0.0.1 is not allowed here
    expect(await sender.send({ ...target, endpoint: target.endpoint.replace('https:', 'http:') }, '{}')).toBe('refused');
    expect(service.requestsTo(target.endpoint)).toEqual([]);
  });

  it('retries network errors with backoff, then gives up', async () => {
    const waits: number[] = [];
    const sender = new PushSender({
      keys,
      extraHosts: ['127.0.0.1'],
      retry: { attempts: 3, baseDelayMs: 100 },
      sleep: async (ms) => void waits.push(ms),
    });
    // Nothing listens on port 1.
    expect(await sender.send({ ...device(), endpoint: 'https://127.0.0.1:1/push/x' }, '{}')).toBe('gave_up');
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThanOrEqual(50);
    expect(waits[0]).toBeLessThanOrEqual(100);
    expect(waits[1]).toBeGreaterThanOrEqual(100);
    expect(waits[1]).toBeLessThanOrEqual(200);
  });

  it('does not wait for a Retry-After longer than it would keep the notice', async () => {
    const sender = new PushSender({ keys, extraHosts: ['127.0.0.1'], agent: service.agent, retry: { maxRetryAfterMs: 5_000 } });
    const target = device();
    service.script(target.endpoint, [{ status: 429, retryAfter: '3600' }]);
    expect(await sender.send(target, '{}')).toBe('gave_up');
    expect(service.requestsTo(target.endpoint)).toHaveLength(1);
  });

  it('a 4xx other than 404/410/429 is ours to fix: not retried, subscription kept', async () => {
    const gone: string[] = [];
    const sender = new PushSender({ keys, extraHosts: ['127.0.0.1'], agent: service.agent, onGone: async (endpoint) => gone.push(endpoint) });
    const target = device();
    service.script(target.endpoint, [{ status: 413 }]);
    expect(await sender.send(target, '{}')).toBe('rejected');
    expect(service.requestsTo(target.endpoint).map((request) => request.status)).toEqual([413]);
    expect(gone).toEqual([]);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    const devices = Array.from({ length: 12 }, device);
    const sender = new PushSender({ keys, extraHosts: ['127.0.0.1'], agent: service.agent, concurrency: 3 });
    let inFlight = 0;
    let peak = 0;
    const send = sender.send.bind(sender);
    sender.send = async (...args) => {
      peak = Math.max(peak, ++inFlight);
      try {
        return await send(...args);
      } finally {
        inFlight--;
      }
    };
    const outcomes = await sender.sendAll(devices.map((subscription) => ({ subscription, payload: '{"n":1}' })));
    expect(outcomes).toEqual(devices.map(() => 'sent'));
    expect(peak).toBe(3);
    expect(sender.vapid.signed).toBe(1);
  });
});

describe('VapidHeaderCache', () => {
  it('signs once per origin and again only when the JWT nears expiry', () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const cache = new VapidHeaderCache(keys, () => now);
    const first = cache.authorization('https://fcm.googleapis.com');
    expect(cache.authorization('https://fcm.googleapis.com')).toBe(first);
    expect(cache.authorization('https://web.push.apple.com')).not.toBe(first);
    expect(cache.signed).toBe(2);
    now += 10 * 3600 * 1000;
    expect(cache.authorization('https://fcm.googleapis.com')).toBe(first);
    now += 1.5 * 3600 * 1000; // 30 min left of 12 h: renewed
    expect(cache.authorization('https://fcm.googleapis.com')).not.toBe(first);
    expect(cache.signed).toBe(3);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });
});

describe('vapidKeys', () => {
  it('generates a key pair once into the data root, 0600, and keeps it', async () => {
    const { vapidKeys } = await import('./vapid');
    const first = vapidKeys();
    expect(Buffer.from(first.publicKey, 'base64url')).toHaveLength(65);
    expect(first.subject).toBe('mailto:tether@example.com');
    const file = path.join(process.env.TETHER_DATA_DIR!, 'vapid.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    (globalThis as { tetherVapid?: unknown }).tetherVapid = undefined; // as a second process would
    expect(vapidKeys()).toEqual(first);
  });
});
