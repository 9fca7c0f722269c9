import { describe, expect, it } from 'vitest';
import { relativeTime } from './relative-time';

describe('relativeTime', () => {
  const now = Date.parse('2026-12-02T12:00:00Z');
  it.each([
    [now - 5_000, 'just now'],
    [now - 5 * 60_000, '5 minutes ago'],
    [now - 3 * 3_600_000, '3 hours ago'],
    [now - 26 * 3_600_000, 'yesterday'],
    [now - 10 * 86_400_000, 'last week'],
    [now - 70 * 86_400_000, '2 months ago'],
  ])('%i → %s', (time, text) => expect(relativeTime(time, now)).toBe(text));
});
