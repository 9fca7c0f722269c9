/**
 * Client-side pieces shared by every benchmark that reads a run's SSE stream (also imported by
 * the viewers' worker thread, so: no app imports here). The SSE parser itself is the app's
 * (`features/timeline/follower/sse-parser.ts`, import-free).
 */

/** Indices of the `dN ` tags in a piece of streamed text (a delta carries one; merged text may carry several). */
export function deltaIndices(text: string): number[] {
  return [...text.matchAll(/d(\d+) /g)].map((match) => Number(match[1]));
}

/**
 * Milliseconds on the process-wide monotonic clock (CLOCK_MONOTONIC, the same in every thread).
 * performance.now() is that clock minus a per-thread origin; this is how a worker's receive
 * times are compared with the main thread's write times.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
