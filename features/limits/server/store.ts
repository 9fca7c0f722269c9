import 'server-only';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Db } from '@/lib/db';
import { retryWrite } from '@/lib/db/retry';
import { logger } from '@/lib/logger';
import type { Redis } from '@/lib/redis';
import { RateLimiterDatabase } from './database-limiter';

/** A count and the milliseconds until it expires (-1: never). */
export type Count = { points: number; msLeft: number };

/** One rule's counts, keyed by visitor, address or workspace: the few operations the rules need. */
export type Counter = {
  readonly durationSeconds: number;
  /** Adds `points` (negative gives back) and says the count now; a new or expired key starts a window. */
  add(key: string, points: number): Promise<Count>;
  get(key: string): Promise<Count | null>;
  /** Sets the count and restarts its window. */
  set(key: string, points: number): Promise<void>;
  remove(key: string): Promise<void>;
};

export type StoreKind = 'redis' | 'database' | 'memory';
export type LimitStore = { kind: StoreKind; counter(input: { name: string; durationSeconds: number }): Counter };

/** The rules decide from the counts themselves, so the library's own ceiling is never reached. */
const NO_CEILING = Number.MAX_SAFE_INTEGER;
/** A store that doesn't answer in this long counts as down for that call. */
const STORE_TIMEOUT_MS = 1_000;
/** After a failure, calls skip the store for this long rather than each waiting out a timeout. */
const OUTAGE_PAUSE_MS = 5_000;
const OUTAGE_LOG_EVERY_MS = 60_000;

type Backing = (options: { keyPrefix: string; points: number; duration: number }) => Promise<RateLimiterAbstract>;

/** Alone (embedded PGlite, one process): counts in this process's memory. */
export function memoryStore(): LimitStore {
  return makeStore('memory', null);
}

/** With REDIS_URL: every instance counts in one Redis (node-redis v5 client, keys under `prefix`). */
export function redisStore({ client, prefix }: { client: Redis | Promise<Redis>; prefix: string }): LimitStore {
  // Not ready (reconnecting) fails at once rather than queueing behind the reconnect.
  return makeStore(
    'redis',
    async (options) => new RateLimiterRedis({ ...options, keyPrefix: `${prefix}:${options.keyPrefix}`, storeClient: await client, useRedisPackage: true, rejectIfRedisNotReady: true }),
  );
}

/** With only a shared database (Postgres or Supabase): counts in `tether.limit_counters`. */
export function databaseStore({ db, prefix }: { db: () => Promise<Db>; prefix: string }): LimitStore {
  return makeStore('database', async (options) => new RateLimiterDatabase({ ...options, keyPrefix: `${prefix}:${options.keyPrefix}`, db }));
}

/**
 * Every shared counter has an in-process twin. When the store fails or is slow (Redis or the
 * database down), the call is logged and counted in the twin instead: the visitor gets an answer,
 * not a 500, and each instance still holds every limit on its own until the store is back. (The
 * library's `insuranceLimiter` does the same, but swallows the store's error unlogged.)
 */
function makeStore(kind: StoreKind, backing: Backing | null): LimitStore {
  let lastOutageLog = 0;
  let pausedUntil = 0;
  // One counter per rule: asking twice gets the same counts (the memory store has no other place for them).
  const counters = new Map<string, Counter>();
  return {
    kind,
    counter({ name, durationSeconds }) {
      const known = counters.get(`${name}/${durationSeconds}`);
      if (known) return known;
      const options = { keyPrefix: name, points: NO_CEILING, duration: durationSeconds };
      const memory = new RateLimiterMemory(options);
      // Made on first use: the connection may still be on its way (or down) when the rules are built.
      let shared: Promise<RateLimiterAbstract> | undefined;
      const sharedLimiter = () => {
        if (shared) return shared;
        const made = (shared = backing!(options));
        made.catch(() => shared === made && (shared = undefined));
        return made;
      };
      const attempt = async <T>(operation: string, run: (limiter: RateLimiterAbstract) => Promise<T>): Promise<T> => {
        if (!backing || Date.now() < pausedUntil) return run(memory);
        try {
          return await withTimeout(sharedLimiter().then(run));
        } catch (error) {
          pausedUntil = Date.now() + OUTAGE_PAUSE_MS;
          if (Date.now() - lastOutageLog > OUTAGE_LOG_EVERY_MS) {
            lastOutageLog = Date.now();
            logger.warn('limit store unavailable: counting in this instance until it is back', { store: kind, rule: name, operation, error });
          }
          return run(memory);
        }
      };
      const counter: Counter = {
        durationSeconds,
        add: (key, points) => attempt('add', async (limiter) => count(await limiter.penalty(key, points))),
        get: (key) =>
          attempt('get', async (limiter) => {
            const res = await limiter.get(key);
            return res ? count(res) : null;
          }),
        set: (key, points) => attempt('set', async (limiter) => void (await limiter.set(key, points, durationSeconds))),
        remove: async (key) => {
          let reached = true;
          await attempt('remove', async (limiter) => {
            if (limiter === memory) reached = false;
            await limiter.delete(key);
          });
          // A removal the shared store missed (a run slot given back during an outage) would hold
          // its key there until it expires: it is retried until the store answers.
          if (!reached && backing) {
            void retryWrite({ what: `limit ${name}: remove`, retryable: () => true, write: () => withTimeout(sharedLimiter().then((limiter) => limiter.delete(key))) }).landed.catch(() => {});
          }
        },
      };
      counters.set(`${name}/${durationSeconds}`, counter);
      return counter;
    },
  };
}

function count(res: RateLimiterRes): Count {
  return { points: res.consumedPoints, msLeft: res.msBeforeNext };
}

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${STORE_TIMEOUT_MS} ms`)), STORE_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
