import 'server-only';
import { HEARTBEAT_MS } from '../schemas';
import type { RunEvent } from '../types';
import type { Run } from './run';

// Open streams, so a shutdown can close them: Next waits for open responses before exiting.
const store = globalThis as { tetherOpenStreams?: Set<() => void> };
const openStreams = (store.tetherOpenStreams ??= new Set());

export function closeAllStreams(): void {
  for (const close of openStreams) close();
}

/**
 * A run's events as Server-Sent Events, starting after sequence `after`. The event id is the
 * sequence number, so a reconnecting client resumes exactly where it stopped (Last-Event-ID).
 * The stream ends after the run's `end` event. A `visible` viewer (its page is on screen; the
 * client reconnects when that changes) counts as watching: the run then ends without a push.
 */
export function runEventStream({ run, after, signal, visible = true }: { run: Run; after: number; signal: AbortSignal; visible?: boolean }): Response {
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
        open = false;
        cleanup();
        controller.close();
      };
      // Headers are only flushed with the first chunk: send one at once.
      send(': ok\n\n');
      const heartbeat = setInterval(() => send(': heartbeat\n\n'), HEARTBEAT_MS);
      let unsubscribe = () => {};
      let leave = () => {};
      cleanup = () => {
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
  });
  return new Response(body, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    },
  });
}
