import 'server-only';
import type { ServerResponse } from 'node:http';
import { openViewer } from '@/features/limits/server';
import { gauge } from '@/features/metrics/server';
import { HEARTBEAT_MS } from '../limits';
import type { RunEvent } from '../types';
import type { RunEventLog } from './run-event-log';

// Open streams, so a shutdown can close them. (The viewer caps count in features/limits, across instances.)
const store = globalThis as { tetherOpenStreams?: Set<() => void> };
const openStreams = (store.tetherOpenStreams ??= new Set());

gauge({
  name: 'tether_viewers',
  help: 'Run event streams open on this instance (a tab, a device or a share link following a run).',
  collect() {
    this.set(openStreams.size);
  },
});

/**
 * What a viewer that doesn't read may leave queued on the server before its connection is cut
 * (it reconnects with Last-Event-ID and loses nothing): a slow reader can't grow memory unbounded.
 */
export const MAX_VIEWER_BACKLOG_BYTES = 1024 * 1024;

const HEAD = Buffer.from(': ok\n\n');
const HEARTBEAT = Buffer.from(': heartbeat\n\n');

export function closeAllStreams(): void {
  for (const close of openStreams) close();
}

/**
 * Streams a run's events as Server-Sent Events on `res`, starting after sequence `after`. The
 * event id is the sequence number, so a reconnecting client resumes exactly where it stopped
 * (Last-Event-ID). The response ends after the run's `end` event. A `visible` viewer (its page is
 * on screen; the client reconnects when that changes) counts as watching: the run then ends
 * without a push. Throws (before anything is written) when a viewer cap is reached.
 *
 * It writes to Node's response directly: the app serves this route before Next does
 * (`app/api/node-routes.ts`). A viewer is then a socket and a few closures — Next's per-request
 * machinery and web streams cost ~80 KiB and ~12 µs per delivered event per viewer, which a
 * thousand viewers of a fast run can't afford.
 */
export async function streamRunEvents({ run, visitorId, after, visible = true, res }: { run: RunEventLog; visitorId: string; after: number; visible?: boolean; res: ServerResponse }): Promise<void> {
  const leaveCaps = await openViewer({ runId: run.id, visitorId });
  if (res.destroyed) return leaveCaps(); // the viewer left while its place was counted
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
  });
  // Headers leave with the first write: send one at once, so the client knows it is attached.
  res.write(HEAD);

  // Frames queued in one turn of the event loop leave as one write: a replay or a burst costs one
  // write per viewer, not one per event, and a viewer that falls behind catches up in bulk.
  let open = true;
  let pending: Uint8Array[] = [];
  let flushScheduled = false;
  const flush = () => {
    flushScheduled = false;
    if (!open || pending.length === 0) return;
    res.write(pending.length === 1 ? pending[0]! : Buffer.concat(pending));
    pending = [];
    // Cut off, queue discarded: the client re-attaches from its last event id.
    if (res.writableLength > MAX_VIEWER_BACKLOG_BYTES) finish(() => res.destroy());
  };
  const finish = (ending: () => void) => {
    if (!open) return;
    open = false;
    void leaveCaps();
    clearInterval(heartbeat);
    unsubscribe();
    leave();
    openStreams.delete(close);
    ending();
  };
  const close = () => {
    flush();
    finish(() => res.end());
  };
  const heartbeat = setInterval(() => res.write(HEARTBEAT), HEARTBEAT_MS);
  let unsubscribe = () => {};
  let leave = () => {};
  openStreams.add(close);
  res.on('close', () => finish(() => {})); // the client went away (or we ended it)
  if (visible && run.status === 'running') leave = run.addVisibleViewer();
  unsubscribe = run.subscribe(after, (event: RunEvent) => {
    if (!open) return;
    pending.push(run.frame(event));
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
    if (event.type === 'end') queueMicrotask(close);
  });
  if (run.status !== 'running' && run.events.length <= after) close();
}
