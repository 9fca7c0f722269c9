import { formatUsd } from '@/lib/format-usd';

/** Plain-text tables and values for the operator's terminal (and its scripts: `--json` skips all this). */

/** Columns padded to their widest cell, two spaces apart; the last one is not padded. */
export function table(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** `2026-12-04 17:55:02` in UTC, the way the logs' ISO times read at a glance. */
export function time(iso: string | null): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, '') : '—';
}

/** 850 ms, 12 s, 3 m 05 s, 2 h 10 m, 3 d 4 h. */
export function duration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, '0')} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${String(Math.floor(s / 60) % 60).padStart(2, '0')} m`;
  return `${Math.floor(s / 86_400)} d ${Math.floor(s / 3600) % 24} h`;
}

/** How long ago `iso` was, from `now`. */
export function ago(iso: string, now = Date.now()): string {
  return `${duration(Math.max(0, now - Date.parse(iso)))} ago`;
}

/** A cost as the app shows it; a run that recorded none is a dash. */
export const usd = (amount: number | null) => (amount === null ? '—' : formatUsd(amount));

/** The first block of an id: enough to tell rows apart, as git's short hashes. */
export const short = (id: string) => id.slice(0, 8);
