import 'server-only';

/** "3 hours", "45 minutes", "1 minute", "20 seconds": how long, as a person would say it. */
export function humanDuration(seconds: number): string {
  const [amount, unit] = seconds < 90 ? [Math.max(1, Math.round(seconds)), 'second'] : seconds < 90 * 60 ? [Math.round(seconds / 60), 'minute'] : [Math.round(seconds / 3600), 'hour'];
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}

/** The short form the older limit messages use: "20 s", "12 min", "3 h". */
export function shortDuration(seconds: number): string {
  return seconds < 90 ? `${seconds} s` : seconds < 5400 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds / 3600)} h`;
}
