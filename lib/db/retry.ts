import { logger } from '../logger';
import { changeBacklog } from './backlog';
import { isTransientDbError } from './errors';

/**
 * Writes that a database blip must not lose (a run's end and cost, its session mapping, its
 * Changes, transcript lines): tried at once, and while the database can't answer, again with
 * exponential backoff and jitter until it does. Writes of one `key` land in the order they were
 * made. A write the database refuses (a constraint, a deleted conversation) is not retried.
 */

const BASE_DELAY_MS = 200;
const MAX_DELAY_MS = 2000;

/** `landed`: the write landed at its first try; `pending`: it waits for the database; `refused`: it failed for good. */
export type FirstTry = 'landed' | 'pending' | 'refused';
export type RetriedWrite<T> = { first: Promise<FirstTry>; landed: Promise<T> };

type Lane = { tail: Promise<unknown>; backlogged: boolean; onBacklog: Set<() => void> };
type State = { lanes: Map<string, Lane>; sleepers: Set<() => void> };
const store = globalThis as { tetherRetry?: State };
const state = (store.tetherRetry ??= { lanes: new Map(), sleepers: new Set() });

/** The wait before retry `attempt` (0-based): doubling up to a cap, half of it random so retries spread out. */
export function retryDelay(attempt: number): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/**
 * Runs `write` until it lands. `counted: false` leaves it out of the backlog's `writes` (the
 * caller counts what it holds itself); `retryable` tells a failure worth retrying (by default,
 * the database not answering).
 */
export function retryWrite<T>({
  what,
  key,
  write,
  counted = true,
  retryable = isTransientDbError,
}: {
  what: string;
  key?: string;
  write: () => Promise<T>;
  counted?: boolean;
  retryable?: (error: unknown) => boolean;
}): RetriedWrite<T> {
  let settleFirst!: (first: FirstTry) => void;
  const first = new Promise<FirstTry>((resolve) => (settleFirst = resolve));
  const lane = key ? state.lanes.get(key) : undefined;
  let pending = false;
  const markPending = () => {
    if (pending) return;
    pending = true;
    if (counted) changeBacklog('writes', 1);
    settleFirst('pending');
  };
  const own: Lane = lane ?? { tail: Promise.resolve(), backlogged: false, onBacklog: new Set() };
  if (key && !lane) state.lanes.set(key, own);
  // Behind a write that waits for the database, this one waits too.
  if (own.backlogged) markPending();
  else own.onBacklog.add(markPending);
  const previous = own.tail;
  const landed = (async () => {
    await previous.catch(() => {});
    for (let attempt = 0; ; attempt++) {
      try {
        const value = await write();
        wakeRetries();
        return value;
      } catch (error) {
        if (!retryable(error)) {
          logger.error('database write refused', { what, error });
          throw error;
        }
        if (attempt === 0) logger.warn('database write failed; retrying until the database answers', { what, error });
        own.backlogged = true;
        for (const notify of own.onBacklog) notify();
        own.onBacklog.clear();
        await sleep(retryDelay(attempt));
      }
    }
  })();
  own.tail = landed;
  void landed.then(
    () => settleFirst('landed'),
    () => settleFirst('refused'),
  );
  void landed
    .finally(() => {
      own.onBacklog.delete(markPending);
      if (pending && counted) changeBacklog('writes', -1);
      if (own.tail !== landed) return;
      own.backlogged = false;
      if (key) state.lanes.delete(key);
    })
    .catch(() => {});
  return { first, landed };
}

/** Resolves true once every write of `key` made so far has landed (or failed for good), false after `timeoutMs`. */
export async function writesSettled(key: string, timeoutMs: number): Promise<boolean> {
  const lane = state.lanes.get(key);
  if (!lane) return true;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  const settled = await Promise.race([
    lane.tail.then(
      () => true,
      () => true,
    ),
    timeout,
  ]);
  clearTimeout(timer);
  return settled;
}

/** Sleeps `ms`, or less when another write lands first: the database is back, so try now. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const wake = () => {
      clearTimeout(timer);
      state.sleepers.delete(wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    state.sleepers.add(wake);
  });
}

function wakeRetries() {
  for (const wake of [...state.sleepers]) wake();
}
