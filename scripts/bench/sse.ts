/**
 * Client-side pieces shared by every benchmark that reads a run's SSE stream (also imported by
 * the viewers' worker thread, so: no app imports here).
 */

/** Splits an SSE byte stream into frames and hands each frame's `data:` line (unparsed) to `onData`. */
export function sseParser(onData: (data: string) => void): (chunk: string) => void {
  let buffer = '';
  return (chunk) => {
    buffer += chunk;
    let boundary;
    while ((boundary = buffer.indexOf('\n\n')) !== -1) {
      const frame = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      const data = frame.split('\n').find((line) => line.startsWith('data: '));
      if (data) onData(data.slice(6));
    }
  };
}

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
