/**
 * A sliding-window counter per key (a visitor, a client address): at most `limit` events in any
 * `windowMs`. In memory, per instance — enough for one server; several instances share a limit
 * only through a shared store, which this interface leaves room for.
 */
const MAX_KEYS = 10_000;

export class SlidingWindowLimit {
  private readonly events = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** Counts one event for `key` if it is under the limit; otherwise says how long until one frees up. */
  take(key: string, now = Date.now()): { ok: true } | { ok: false; retryAfterSeconds: number } {
    if (this.events.size > MAX_KEYS) this.sweep(now);
    const recent = this.recent(key, now);
    if (recent.length >= this.limit) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((recent[0]! + this.windowMs - now) / 1000)) };
    recent.push(now);
    this.events.set(key, recent);
    return { ok: true };
  }

  /** True when one more event for `key` would be refused. */
  full(key: string, now = Date.now()): boolean {
    return this.recent(key, now).length >= this.limit;
  }

  /** Forgets keys with no event left in the window (keys nobody asks about again would stay otherwise). */
  private sweep(now: number): void {
    for (const key of [...this.events.keys()]) this.recent(key, now);
  }

  private recent(key: string, now: number): number[] {
    const kept = (this.events.get(key) ?? []).filter((at) => at > now - this.windowMs);
    if (kept.length === 0) this.events.delete(key);
    return kept;
  }
}
