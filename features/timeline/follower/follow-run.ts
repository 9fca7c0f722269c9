import type { ErrorBody, ErrorCode } from '@/lib/errors';
import { HEARTBEAT_MS } from '../limits';
import type { ParsedRunEvent, RunEvent } from '../events';
import { sseParser, type SseFrame } from './sse-parser';

/** How the link to a run's events is doing, for the status indicator. */
export type ConnectionState = 'live' | 'reconnecting' | 'offline';
export type FollowOutcome = 'ended' | 'gone' | 'aborted' | 'closed';

/** Twice the server's heartbeat: a connection that has said nothing for this long is dead. */
const STALL_MS = 2 * HEARTBEAT_MS;
const MAX_BACKOFF_MS = 10_000;

/** The server's word that the run (or the conversation or share link reaching it) is no more: stop following. */
const GONE_CODES: readonly ErrorCode[] = ['not_found:run', 'not_found:conversation', 'not_found:share'];
const isGone = async (response: Response) => {
  const body = (await response.json().catch(() => null)) as Partial<ErrorBody> | null;
  return body?.error !== undefined && GONE_CODES.includes(body.error.code);
};

// The event schemas bring zod along: loaded on the first follow, not with the page (its first
// load carries no zod). Started alongside the first request, so it rarely waits.
let parser: Promise<(data: string) => ParsedRunEvent> | undefined;
const loadParser = () =>
  (parser ??= import('../events').then(
    (module) => module.parseRunEvent,
    (error: unknown) => {
      parser = undefined; // a chunk that failed to load (a network blip) is asked for again next time
      throw error;
    },
  ));

/**
 * Follows a run's events until its `end`, reconnecting with capped exponential backoff and
 * jitter and resuming after the last event received (`after=`, the SSE id), so nothing is
 * missed or repeated. A connection that goes silent (not even a heartbeat) is dropped and
 * replaced; in a browser that is offline it waits for the network and reconnects the moment it
 * is back. Resolves 'gone' when the server no longer has the run (history then has it).
 *
 * In a browser, each connection says whether the tab is visible (`url` gets `visible`): a run
 * that finishes in front of someone needs no push. When the tab is shown or hidden, the
 * connection is replaced at once, resuming after the last event, so the server always knows.
 * Elsewhere (Node: tests, bench) the viewer counts as online and visible.
 *
 * Every event is parsed against its schema; one that doesn't parse (an unknown type from a newer
 * server, say) is skipped and reported to `onIgnored` (a console warning by default).
 */
export async function followRun({
  url,
  after,
  headers,
  onEvent,
  onConnection,
  onIgnored = warnIgnored,
  signal,
  fetch = globalThis.fetch,
  retry = true,
}: {
  /** The stream's address for a connection resuming after `after`. */
  url: (at: { after: number; visible: boolean }) => string;
  after: number;
  headers?: Record<string, string>;
  onEvent: (event: RunEvent) => void;
  onConnection?: (state: ConnectionState) => void;
  onIgnored?: (reason: string) => void;
  signal: AbortSignal;
  fetch?: typeof globalThis.fetch;
  /** false: one connection only; a stream that closes or breaks before `end` resolves 'closed', a refused one throws. */
  retry?: boolean;
}): Promise<FollowOutcome> {
  const page = browserPage();
  loadParser().catch(() => {}); // alongside the first request; awaited (and its failure seen) below
  let lastSeq = after;
  let reported: ConnectionState | null = null;
  const report = (state: ConnectionState) => {
    if (state === reported || signal.aborted) return;
    reported = state;
    onConnection?.(state);
  };

  for (let failures = 0; !signal.aborted;) {
    if (page && !page.online()) {
      report('offline');
      await page.waitFor({ events: ['online'], signal });
      failures = 0;
      continue;
    }

    // One connection: dropped when the run's view is left, the network goes, it falls silent,
    // or the tab is shown or hidden (then it is replaced straight away, see below).
    const connection = new AbortController();
    const drop = () => connection.abort();
    const visible = page?.visible() ?? true;
    let visibilityChanged = false;
    const onVisibility = () => {
      if (page?.visible() === visible) return;
      visibilityChanged = true;
      drop();
    };
    signal.addEventListener('abort', drop);
    const unwatch = page?.watch({ onOffline: drop, onVisibility });
    let connected = false;
    let stall: ReturnType<typeof setTimeout> | undefined;
    const alive = () => {
      clearTimeout(stall);
      stall = setTimeout(drop, STALL_MS);
    };
    try {
      alive();
      const response = await fetch(url({ after: lastSeq, visible }), { signal: connection.signal, headers: { accept: 'text/event-stream', ...headers } });
      if (!response.ok || !response.body) {
        if (await isGone(response)) return 'gone';
        throw new Error(`events ${response.status}`);
      }
      connected = true;
      report('live');
      const parseEvent = await loadParser();
      for await (const frame of readFrames(response.body)) {
        alive();
        // Frames already read can still come out after an abort: the follower has moved on.
        if (signal.aborted) break;
        if (frame.comment) continue;
        const parsed = parseEvent(frame.data!);
        const seq = parsed.ok ? parsed.event.seq : frame.id === null ? Number.NaN : Number(frame.id);
        // The server resumes after `after=`: a repeat is a fault to see, not to show twice.
        if (seq <= lastSeq) {
          onIgnored(`run event ${seq} ignored: already received`);
          continue;
        }
        if (Number.isInteger(seq)) lastSeq = seq; // skipped or not, it is behind us now
        failures = 0;
        if (!parsed.ok) {
          onIgnored(`run event ${frame.id ?? '?'} ignored: ${parsed.reason}`);
          continue;
        }
        onEvent(parsed.event);
        if (parsed.event.type === 'end') return 'ended';
      }
    } catch (error) {
      // A dropped or failed connection: try again below (without retries, a refused one is the caller's).
      if (!retry && !connected && !connection.signal.aborted) throw error;
    } finally {
      clearTimeout(stall);
      signal.removeEventListener('abort', drop);
      unwatch?.();
    }
    if (signal.aborted) break;
    if (!retry) return 'closed';
    if (page && !page.online()) continue;
    // Not a failure: the same run, followed on with the tab's new visibility, without a wait.
    if (visibilityChanged) continue;
    report('reconnecting');
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** failures++) * (0.5 + Math.random() / 2);
    // Going offline meanwhile switches to waiting for the network instead.
    await (page ?? nowhere).waitFor({ events: ['offline'], ms: delay, signal });
  }
  return 'aborted';
}

function warnIgnored(reason: string): void {
  // The view goes on without it; a developer looking at the console learns why something is missing.
  // eslint-disable-next-line no-console
  console.warn(reason);
}

/** The frames of a response body; leaving early (the run ended, the follower stopped) closes the connection. */
async function* readFrames(body: ReadableStream<Uint8Array>): AsyncGenerator<SseFrame> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const frames: SseFrame[] = [];
  const feed = sseParser((frame) => frames.push(frame));
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      feed(decoder.decode(value, { stream: true }));
      yield* frames.splice(0);
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

type Page = {
  online: () => boolean;
  visible: () => boolean;
  watch: (on: { onOffline: () => void; onVisibility: () => void }) => () => void;
  /** Resolves on the first of: one of the window events, `ms` passing, the signal aborting. */
  waitFor: (until: { events: string[]; ms?: number; signal: AbortSignal }) => Promise<void>;
};

/** The tab's network and visibility, read when a follow starts; null outside a browser. */
function browserPage(): Page | null {
  if (typeof window === 'undefined' || typeof document === 'undefined') return null;
  return {
    online: () => navigator.onLine,
    visible: () => document.visibilityState === 'visible',
    watch: ({ onOffline, onVisibility }) => {
      window.addEventListener('offline', onOffline);
      document.addEventListener('visibilitychange', onVisibility);
      return () => {
        window.removeEventListener('offline', onOffline);
        document.removeEventListener('visibilitychange', onVisibility);
      };
    },
    waitFor: ({ events, ms, signal }) =>
      new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          for (const name of events) window.removeEventListener(name, done);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = ms === undefined ? undefined : setTimeout(done, ms);
        for (const name of events) window.addEventListener(name, done);
        signal.addEventListener('abort', done);
        if (signal.aborted) done();
      }),
  };
}

/** Outside a browser: always online and visible; waiting is only for time or the abort. */
const nowhere: Pick<Page, 'waitFor'> = {
  waitFor: ({ ms, signal }) =>
    new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done);
      if (signal.aborted) done();
    }),
};
