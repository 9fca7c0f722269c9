import 'server-only';
import { serverEnv } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { HEARTBEAT_MS } from '../schemas';
import type { RunEvent } from '../types';
import type { Run } from './run';

// Open streams, so a shutdown can close them: Next waits for open responses before exiting; and
// how many each run and each visitor has open, for the caps.
type Streams = { open: Set<() => void>; byRun: Map<string, number>; byVisitor: Map<string, number> };
const store = globalThis as { tetherStreams?: Streams };
const streams = (store.tetherStreams ??= { open: new Set(), byRun: new Map(), byVisitor: new Map() });
const openStreams = streams.open;

/**
 * What a viewer that doesn't read may leave queued on the server before its stream is dropped
 * (it reconnects with Last-Event-ID and loses nothing): a slow reader can't grow memory unbounded.
 */
export const MAX_VIEWER_BACKLOG_BYTES = 1024 * 1024;

export function closeAllStreams(): void {
  for (const close of openStreams) close();
}

/**
 * A run's events as Server-Sent Events, starting after sequence `after`. The event id is the
 * sequence number, so a reconnecting client resumes exactly where it stopped (Last-Event-ID).
 * The stream ends after the run's `end` event. A `visible` viewer (its page is on screen; the
 * client reconnects when that changes) counts as watching: the run then ends without a push.
 */
export function runEventStream({ run, visitorId, after, signal, visible = true }: { run: Run; visitorId: string; after: number; signal: AbortSignal; visible?: boolean }): Response {
  const { TETHER_VIEWERS_PER_RUN: perRun, TETHER_VIEWERS_PER_VISITOR: perVisitor } = serverEnv();
  if ((streams.byRun.get(run.id) ?? 0) >= perRun || (streams.byVisitor.get(visitorId) ?? 0) >= perVisitor) {
    throw new AppError('rate_limited:viewers', `Too many open views of this run or from this browser (at most ${perRun} per run and ${perVisitor} per visitor). Close some tabs and try again.`, {
      retryAfterSeconds: 5,
    });
  }
  count(streams.byRun, run.id, 1);
  count(streams.byVisitor, visitorId, 1);
  let counted = true;
  const uncount = () => {
    if (!counted) return;
    counted = false;
    count(streams.byRun, run.id, -1);
    count(streams.byVisitor, visitorId, -1);
  };
  const encoder = new TextEncoder();
  let open = true;
  let cleanup = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      // Frames queued since the last flush leave as one chunk: a replay or a burst costs one
      // write per viewer, not one per event, and a viewer that falls behind catches up in bulk.
      let pending: Uint8Array[] = [];
      let flushScheduled = false;
      const flush = () => {
        flushScheduled = false;
        if (!open || pending.length === 0) return;
        controller.enqueue(pending.length === 1 ? pending[0]! : Buffer.concat(pending));
        pending = [];
        // desiredSize = high-water mark − bytes queued and unread.
        if ((controller.desiredSize ?? 0) < -MAX_VIEWER_BACKLOG_BYTES) drop();
      };
      const sendFrame = (frame: Uint8Array) => {
        if (!open) return;
        pending.push(frame);
        if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(flush);
        }
      };
      const send = (text: string) => open && controller.enqueue(encoder.encode(text));
      const close = () => {
        if (!open) return;
        flush();
        if (!open) return; // the flush found the viewer too far behind and dropped it
        open = false;
        cleanup();
        controller.close();
      };
      // Erroring (not closing) discards what is queued, and Next then ends the response.
      const drop = () => {
        open = false;
        cleanup();
        controller.error(new Error('viewer too far behind'));
      };
      // Headers are only flushed with the first chunk: send one at once.
      send(': ok\n\n');
      const heartbeat = setInterval(() => send(': heartbeat\n\n'), HEARTBEAT_MS);
      let unsubscribe = () => {};
      let leave = () => {};
      cleanup = () => {
        uncount();
        clearInterval(heartbeat);
        unsubscribe();
        leave();
        openStreams.delete(close);
        signal.removeEventListener('abort', close);
      };
      openStreams.add(close);
      signal.addEventListener('abort', close);
      // The client may be gone before the handler answered: 'abort' has already fired and Next
      // never reads or cancels this body, so nothing else would unsubscribe before the run ends.
      if (signal.aborted) return close();
      if (visible && run.status === 'running') leave = run.addVisibleViewer();
      unsubscribe = run.subscribe(after, (event: RunEvent) => {
        sendFrame(run.frame(event));
        if (event.type === 'end') queueMicrotask(close);
      });
      if (run.status !== 'running' && run.events.length <= after) close();
    },
    cancel() {
      // The reader is gone: nothing may be enqueued any more (a pending flush would throw).
      open = false;
      cleanup();
    },
  }, new ByteLengthQueuingStrategy({ highWaterMark: 64 * 1024 }));
  return new Response(body, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    },
  });
}

function count(counts: Map<string, number>, key: string, delta: number): void {
  const next = (counts.get(key) ?? 0) + delta;
  if (next > 0) counts.set(key, next);
  else counts.delete(key);
}
