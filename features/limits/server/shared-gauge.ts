import 'server-only';
import type { LimitStore } from './store';

/**
 * How many of something are open right now (event streams), summed over every instance, that a
 * dead instance can't inflate for long. An open stream can last hours, so a count that is only
 * added to and taken from would keep a crashed instance's streams forever; a lease per stream
 * would cost a write per stream. Instead the shared count is rebuilt every period: each instance
 * knows its own open ones exactly and adds them to the period's counter as the period starts (or
 * before its first change in it); opens and closes then change that counter. An instance that
 * dies stops contributing, so what it held is gone from the count at the next period.
 */
export function sharedGauge(store: LimitStore, { name, periodSeconds }: { name: string; periodSeconds: number }) {
  const counter = store.counter({ name, durationSeconds: 2 * periodSeconds });
  const periodMs = periodSeconds * 1000;
  const local = new Map<string, number>();
  // The period each key's local count was added to, and that addition (opens wait for it, so their
  // verdict counts this instance's own).
  const contributed = new Map<string, { period: number; done: Promise<void> }>();
  let timer: NodeJS.Timeout | undefined;

  const periodNow = () => Math.floor(Date.now() / periodMs);
  const slot = (key: string, period: number) => `${key}:${period}`;

  function contribute(key: string, period: number): Promise<void> {
    const known = contributed.get(key);
    if (known?.period === period) return known.done;
    const open = local.get(key) ?? 0;
    const done = open > 0 ? counter.add(slot(key, period), open).then(() => {}) : Promise.resolve();
    contributed.set(key, { period, done });
    return done;
  }

  // At each period's start, every key with streams open here is counted again.
  function scheduleRenewal() {
    if (timer) return;
    timer = setTimeout(
      () => {
        timer = undefined;
        const period = periodNow();
        for (const key of local.keys()) void contribute(key, period);
        if (local.size > 0) scheduleRenewal();
      },
      periodMs - (Date.now() % periodMs) + 1,
    );
    timer.unref();
  }

  return {
    /** Counts one more open under `key` unless that passes `limit` (counted on every instance). */
    async open(key: string, limit: number): Promise<boolean> {
      const period = periodNow();
      await contribute(key, period);
      // Counted here first: should the period turn meanwhile, the next one's contribution has it.
      local.set(key, (local.get(key) ?? 0) + 1);
      scheduleRenewal();
      const { points } = await counter.add(slot(key, period), 1);
      if (points <= limit) return true;
      await release(key);
      return false;
    },
    /** One open under `key` closed; resolves once the shared count has it. */
    close(key: string): Promise<void> {
      return release(key);
    },
    openHere: (key: string) => local.get(key) ?? 0,
  };

  // Taken from the period this instance last contributed to: that contribution counted the open
  // (even one refused while the period turned, since opens count here before they add), and a
  // period not yet contributed to counts what is open when its contribution is made.
  async function release(key: string): Promise<void> {
    const open = (local.get(key) ?? 0) - 1;
    if (open > 0) local.set(key, open);
    else local.delete(key);
    const counted = contributed.get(key)?.period;
    // Nothing open here any more: this instance's share of every period nets to zero.
    if (open <= 0) contributed.delete(key);
    if (counted !== undefined) await counter.add(slot(key, counted), -1);
  }
}
