import { describe, expect, it } from 'vitest';
import { SlidingWindowLimit } from './rate-limit';

describe('SlidingWindowLimit', () => {
  it('allows `limit` events per window and key, then says when the next one frees up', () => {
    const limit = new SlidingWindowLimit(2, 60_000);
    expect(limit.take('a', 0)).toEqual({ ok: true });
    expect(limit.take('a', 10_000)).toEqual({ ok: true });
    expect(limit.full('a', 10_000)).toBe(true);
    expect(limit.take('a', 20_000)).toEqual({ ok: false, retryAfterSeconds: 40 });
    expect(limit.take('b', 20_000)).toEqual({ ok: true }); // other keys are unaffected
    expect(limit.take('a', 60_001)).toEqual({ ok: true }); // the first one left the window
  });

  it('forgets idle keys once there are many', () => {
    const limit = new SlidingWindowLimit(1, 1000);
    for (let i = 0; i <= 10_001; i++) limit.take(`visitor-${i}`, 0);
    expect(limit.take('late', 5000)).toEqual({ ok: true });
    expect((limit as unknown as { events: Map<string, number[]> }).events.size).toBe(1);
  });
});
