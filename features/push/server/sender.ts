import 'server-only';
import https from 'node:https';
import webpush, { type RequestOptions } from 'web-push';
import { logger } from '@/lib/logger';
import { checkEndpoint } from '../schemas';
import { VapidHeaderCache, type VapidKeys } from './vapid';

export type Subscription = { endpoint: string; p256dh: string; auth: string };

/**
 * sent: the push service took it · gone: 404/410, the subscription is dead · gave_up: 429/5xx or
 * network errors outlasted the retries · rejected: another 4xx (our fault; retrying won't help) ·
 * refused: the endpoint is not https on the allow-list (never contacted).
 */
export type Outcome = 'sent' | 'gone' | 'gave_up' | 'rejected' | 'refused';

export type RetryPolicy = {
  /** Tries in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the notice would be stale by then. */
  maxRetryAfterMs: number;
};

export type SenderOptions = {
  keys: VapidKeys;
  /** PUSH_ALLOWED_HOSTS: checked again here, whatever the database holds. */
  extraHosts: readonly string[];
  /** Injectable so tests can trust a self-signed certificate (`new https.Agent({ ca })`). */
  agent?: https.Agent;
  /** How long the push service keeps an undelivered notice. */
  ttlSeconds?: number;
  /** Requests in flight at once per fan-out. */
  concurrency?: number;
  retry?: Partial<RetryPolicy>;
  requestTimeoutMs?: number;
  /** Called once per endpoint a push service says is gone (404/410). */
  onGone?: (endpoint: string) => Promise<unknown>;
  /** Waits between tries (tests and the benchmark may observe it). */
  sleep?: (ms: number) => Promise<void>;
};

const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 500, maxDelayMs: 10_000, maxRetryAfterMs: 60_000 };

// null, not undefined: web-push then skips its own per-send JWT even if global VAPID details were set.
const NO_VAPID = null as unknown as RequestOptions['vapidDetails'];

/**
 * Sends encrypted Web Push messages with a VAPID header cached per push-service origin, high
 * urgency, a bounded TTL and a topic, retrying what is worth retrying.
 */
export class PushSender {
  readonly vapid: VapidHeaderCache;
  private readonly agent: https.Agent;
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: SenderOptions) {
    this.vapid = new VapidHeaderCache(options.keys);
    this.agent = options.agent ?? new https.Agent({ keepAlive: true, maxSockets: 16 });
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Every message, at most `concurrency` requests at a time; outcomes in input order. */
  async sendAll(messages: Array<{ subscription: Subscription; payload: string; topic?: string }>): Promise<Outcome[]> {
    const outcomes: Outcome[] = new Array(messages.length);
    let next = 0;
    const worker = async () => {
      while (next < messages.length) {
        const index = next++;
        const message = messages[index]!;
        outcomes[index] = await this.send(message.subscription, message.payload, message.topic);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency ?? 8, messages.length) }, worker));
    return outcomes;
  }

  async send(subscription: Subscription, payload: string, topic?: string): Promise<Outcome> {
    const checked = checkEndpoint(subscription.endpoint, this.options.extraHosts);
    if (!checked.ok) {
      logger.warn('push endpoint refused', { host: safeHost(subscription.endpoint), problem: checked.problem });
      return 'refused';
    }
    let details: ReturnType<typeof webpush.generateRequestDetails>;
    try {
      // Encrypted once; a retry resends the same bytes.
      details = webpush.generateRequestDetails({ endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } }, payload, {
        vapidDetails: NO_VAPID,
        contentEncoding: 'aes128gcm',
        TTL: this.options.ttlSeconds ?? 3600,
        urgency: 'high',
        topic,
      });
    } catch (error) {
      logger.warn('push message could not be built', { host: checked.url.hostname, error });
      return 'rejected';
    }
    const url = checked.url;
    for (let attempt = 1; ; attempt++) {
      const headers = { ...details.headers, Authorization: this.vapid.authorization(url.origin) };
      let wait: number | null;
      try {
        const { status, retryAfter } = await this.post(url, headers, details.body);
        if (status >= 200 && status < 300) return 'sent';
        if (status === 404 || status === 410) {
          await this.options.onGone?.(subscription.endpoint);
          return 'gone';
        }
        if (status !== 429 && status < 500) {
          logger.warn('push rejected', { host: url.hostname, status });
          return 'rejected';
        }
        wait = retryAfter === null ? this.backoff(attempt) : retryAfter;
        logger.debug('push will be retried', { host: url.hostname, status, attempt, waitMs: wait });
      } catch (error) {
        wait = this.backoff(attempt);
        logger.debug('push request failed', { host: url.hostname, attempt, error });
      }
      if (attempt >= this.retry.attempts || wait > this.retry.maxRetryAfterMs) {
        logger.warn('push gave up', { host: url.hostname, attempts: attempt });
        return 'gave_up';
      }
      await this.sleep(wait);
    }
  }

  /** Exponential backoff with jitter: somewhere in [½, 1] × base × 2^(attempt-1), capped. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  }

  private post(url: URL, headers: Record<string, string | number>, body: Buffer | null): Promise<{ status: number; retryAfter: number | null }> {
    return new Promise((resolve, reject) => {
      const request = https.request(url, { method: 'POST', headers, agent: this.agent, timeout: this.options.requestTimeoutMs ?? 10_000 }, (response) => {
        response.resume(); // the body says nothing we act on; drain it so the socket is reused
        response.on('end', () => resolve({ status: response.statusCode ?? 0, retryAfter: parseRetryAfter(response.headers['retry-after']) }));
        response.on('error', reject);
      });
      request.on('timeout', () => request.destroy(new Error('push request timed out')));
      request.on('error', reject);
      request.end(body ?? undefined);
    });
  }
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function safeHost(endpoint: string): string | null {
  try {
    return new URL(endpoint).hostname;
  } catch {
    return null;
  }
}
