import 'server-only';
import type { Count, LimitStore } from './store';

export type Verdict = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * At most `limit` points per key in any `windowSeconds`, counted in a shared store. The library's
 * windows are fixed; a sliding one is estimated from two of them, as Cloudflare and others do:
 * the current window's count plus the previous one's, weighted by how much of it still overlaps
 * the last `windowSeconds`. That costs one more read (in parallel) per check, and a burst at a
 * window's edge no longer doubles the limit. Windows are aligned to the clock (UTC), so every
 * instance agrees on them.
 */
export function slidingWindow(store: LimitStore, { name, limit, windowSeconds }: { name: string; limit: number; windowSeconds: number }) {
  // Each window's key lives on through the next one, which reads it as "previous".
  const counter = store.counter({ name, durationSeconds: 2 * windowSeconds });
  const windowMs = windowSeconds * 1000;

  const place = (now: number) => {
    const index = Math.floor(now / windowMs);
    return { index, elapsedMs: now - index * windowMs };
  };
  // Every counter here has a window, so one with no time left is over (the memory store may still hold it).
  const points = (count: Count | null) => (count && count.msLeft > 0 ? count.points : 0);

  /** The verdict on `wanted` more points, given the two windows' counts (excluding them). */
  const judge = ({ previous, current, wanted, elapsedMs }: { previous: number; current: number; wanted: number; elapsedMs: number }): Verdict => {
    const estimate = previous * (1 - elapsedMs / windowMs) + current;
    if (estimate + wanted <= limit) return { ok: true };
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(msUntilRoom({ previous, current, wanted, elapsedMs }) / 1000)) };
  };

  /** When `wanted` points fit again: the previous window's share shrinks linearly, the current one's only after it ends. */
  const msUntilRoom = ({ previous, current, wanted, elapsedMs }: { previous: number; current: number; wanted: number; elapsedMs: number }) => {
    const room = limit - current - wanted;
    if (room >= 0) return previous === 0 ? 0 : Math.max(0, windowMs * (1 - room / previous) - elapsedMs);
    return windowMs - elapsedMs + (current === 0 ? 0 : windowMs * Math.max(0, 1 - (limit - wanted) / current));
  };

  async function read(key: string, now: number) {
    const { index, elapsedMs } = place(now);
    const [previous, current] = await Promise.all([counter.get(`${key}:${index - 1}`), counter.get(`${key}:${index}`)]);
    return { previous: points(previous), current: points(current), elapsedMs };
  }

  return {
    limit,
    /** Whether `wanted` more points would fit, counting nothing. */
    async check(key: string, wanted = 1, now = Date.now()): Promise<Verdict> {
      return judge({ ...(await read(key, now)), wanted });
    },
    /** Counts `wanted` points if they fit; refused points are given back, so refusals don't count. */
    async take(key: string, wanted = 1, now = Date.now()): Promise<Verdict> {
      const { index, elapsedMs } = place(now);
      // Added first and judged on the count it returns, so two instances taking the last point at
      // once can't both get it.
      const [previous, added] = await Promise.all([counter.get(`${key}:${index - 1}`), counter.add(`${key}:${index}`, wanted)]);
      const verdict = judge({ previous: points(previous), current: added.points - wanted, wanted, elapsedMs });
      if (!verdict.ok) await counter.add(`${key}:${index}`, -wanted);
      return verdict;
    },
    /**
     * Gives back `points` a take at `takenAt` counted (what they paid for did not happen), to the
     * window that counted them: should the window have turned since, the current one never had them.
     */
    async giveBack(key: string, points: number, takenAt: number, now = Date.now()): Promise<void> {
      const { index } = place(takenAt);
      // Two windows on, its counter has expired: nothing of it counts any more.
      if (index < place(now).index - 1) return;
      await counter.add(`${key}:${index}`, -points);
    },
    /** Counts `spent` points whatever the limit (they were already spent); says whether one more would still fit. */
    async charge(key: string, spent: number, now = Date.now()): Promise<Verdict> {
      const { index, elapsedMs } = place(now);
      const [previous, added] = await Promise.all([counter.get(`${key}:${index - 1}`), counter.add(`${key}:${index}`, spent)]);
      return judge({ previous: points(previous), current: added.points, wanted: 1, elapsedMs });
    },
  };
}

export type SlidingWindow = ReturnType<typeof slidingWindow>;
