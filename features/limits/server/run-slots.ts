import 'server-only';
import type { LimitStore } from './store';

/**
 * Runs at once per visitor, across instances: the visitor has `limit` numbered slots in the shared
 * store, and a run holds one. A slot is a counter with a lease: taking it is the atomic add that
 * makes it 1 (a second taker sees 2 and tries the next slot), the holder renews the lease while
 * its run lives and deletes the slot when it ends. An instance that dies mid-run stops renewing,
 * so its slots free themselves within one lease; nothing leaks for good. (Counting running runs
 * in the database would be exact too, but two sends at once could both count before either
 * inserts; the atomic add can't be raced.)
 */
export function runSlots(store: LimitStore, { limit, leaseSeconds }: { limit: number; leaseSeconds: number }) {
  const counter = store.counter({ name: 'runs-at-once', durationSeconds: leaseSeconds });
  const held = new Map<string, { key: string; renew: NodeJS.Timeout }>();

  return {
    limit,
    /** Takes a slot for the run; false when all the visitor's slots are held. */
    async take({ visitorId, runId }: { visitorId: string; runId: string }): Promise<boolean> {
      for (let slot = 0; slot < limit; slot++) {
        const key = `${visitorId}:${slot}`;
        if ((await counter.add(key, 1)).points !== 1) continue;
        // Renewing also resets a count that losers' attempts raised past 1.
        const renew = setInterval(() => void counter.set(key, 1), (leaseSeconds * 1000) / 3);
        renew.unref();
        held.set(runId, { key, renew });
        return true;
      }
      return false;
    },
    /** Gives the run's slot back (nothing when it holds none, or gave it back already). */
    async release(runId: string): Promise<void> {
      const slot = held.get(runId);
      if (!slot) return;
      held.delete(runId);
      clearInterval(slot.renew);
      await counter.remove(slot.key);
    },
    /** Runs holding a slot on this instance. */
    heldHere: () => held.size,
  };
}

export type RunSlots = ReturnType<typeof runSlots>;
