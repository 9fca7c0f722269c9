import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PausableTimer } from './pausable-timer';

describe('PausableTimer', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('fires after its running time, not counting paused time', () => {
    const fired = vi.fn();
    const timer = new PausableTimer(1000, fired);
    vi.advanceTimersByTime(600);
    timer.pause();
    vi.advanceTimersByTime(10_000);
    expect(fired).not.toHaveBeenCalled();
    timer.resume();
    vi.advanceTimersByTime(399);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledOnce();
  });

  it('never fires once cleared, even when resumed', () => {
    const fired = vi.fn();
    const timer = new PausableTimer(100, fired);
    timer.clear();
    timer.resume();
    vi.advanceTimersByTime(1000);
    expect(fired).not.toHaveBeenCalled();
  });
});
