const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "just now", "5 minutes ago", "yesterday", "3 weeks ago": when `time` was, seen from `now`. */
export function relativeTime(time: number, now = Date.now()): string {
  const elapsed = now - time;
  if (elapsed < 60_000) return 'just now';
  const format = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  const [unit, size] = UNITS.find(([, length]) => elapsed >= length)!;
  return format.format(-Math.floor(elapsed / size), unit);
}
