import { request as httpRequest, type Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { ATTACHMENT_NAME_HEADER, encodeAttachmentName } from '@/features/attachments/attachment-name';
import { parseRunEvent } from '@/features/timeline/events';
import { sseParser } from '@/features/timeline/follower/sse-parser';
import type { AgentMode, RunEvent } from '@/features/runs/types';
import { send, type AppServer } from './app-server';

export const BENCH_MODEL = 'claude-sonnet-4-5';

type End = Extract<RunEvent, { type: 'end' }>;

/** Sends one message the way the browser does (`POST …/messages`); resolves with the new run's id once it is answered 202 (at `answeredAt`). */
export async function postMessage({
  server,
  cookie,
  conversationId,
  text,
  mode = 'plan',
  model = BENCH_MODEL,
  attachments,
}: {
  server: AppServer;
  cookie: string;
  conversationId: string;
  text: string;
  mode?: AgentMode;
  model?: string;
  /** Ids of attachments uploaded to the conversation (`uploadAttachment`). */
  attachments?: string[];
}): Promise<{ sentAt: number; answeredAt: number; runId: string }> {
  const sentAt = performance.now();
  const posted = await send(server, { method: 'POST', path: `/api/conversations/${conversationId}/messages`, cookie, json: { text, model, mode, ...(attachments ? { attachments } : {}) } });
  if (posted.status !== 202) throw new Error(`send failed (${posted.status}): ${posted.body}`);
  return { sentAt, answeredAt: sentAt + posted.totalMs, runId: (JSON.parse(posted.body) as { run: { id: string } }).run.id };
}

/**
 * Sends one message (POST, then follow the run's SSE from seq 0) and resolves after the `end`
 * event. `onEvent` gets each event with the time its chunk arrived.
 */
export async function sendThroughTether({
  server,
  cookie,
  conversationId,
  text,
  model,
  attachments,
  onEvent = () => {},
}: {
  server: AppServer;
  cookie: string;
  conversationId: string;
  text: string;
  model?: string;
  attachments?: string[];
  onEvent?: (event: RunEvent, receivedAt: number) => void;
}): Promise<{ sentAt: number; answeredAt: number; endAt: number; end: End; runId: string }> {
  const { sentAt, answeredAt, runId } = await postMessage({ server, cookie, conversationId, text, model, attachments });
  const { end, endAt } = await readEvents({ server, cookie, path: `/api/runs/${runId}/events?after=0` }, onEvent);
  if (end.status !== 'completed') throw new Error(`run ${runId} ended ${end.status}`);
  return { sentAt, answeredAt, endAt, end, runId };
}

/** Uploads a file for the conversation's next message, as the composer does; resolves with its id. */
export async function uploadAttachment({
  server,
  cookie,
  conversationId,
  name,
  type,
  bytes,
}: {
  server: AppServer;
  cookie: string;
  conversationId: string;
  name: string;
  type: string;
  bytes: Buffer;
}): Promise<string> {
  const posted = await send(server, {
    method: 'POST',
    path: `/api/conversations/${conversationId}/attachments`,
    cookie,
    raw: { bytes, headers: { 'content-type': type, [ATTACHMENT_NAME_HEADER]: encodeAttachmentName(name) } },
  });
  if (posted.status !== 201 && posted.status !== 200) throw new Error(`upload failed (${posted.status}): ${posted.body}`);
  return (JSON.parse(posted.body) as { attachment: { id: string } }).attachment.id;
}

export type EventsRead = {
  end: End;
  /** performance.now() of the request, its first response byte, and the chunk that carried `end`. */
  requestedAt: number;
  firstByteAt: number;
  endAt: number;
  events: number;
  /** Response body bytes, and bytes read on the socket (headers and chunked framing too; exact only with a socket of its own). */
  bodyBytes: number;
  wireBytes: number;
};

/**
 * Reads a run's SSE response to its close (the server closes after `end`), bounded by `timeoutMs`.
 * Rejects when the stream closes without an `end` event, or on an event its schema refuses.
 * Its own transport (node:http, not the follower's fetch): per-chunk receive times, a chosen
 * Agent, and the socket's byte count are what the benchmarks measure.
 */
export function readEvents(
  { server, cookie, path, agent, timeoutMs = 60_000 }: { server: AppServer; cookie: string; path: string; agent?: Agent | false; timeoutMs?: number },
  onEvent: (event: RunEvent, receivedAt: number) => void = () => {},
): Promise<EventsRead> {
  return new Promise((resolve, reject) => {
    const requestedAt = performance.now();
    const req = httpRequest({ host: '127.0.0.1', port: server.port, path, agent, headers: { host: server.host, cookie, accept: 'text/event-stream' } }, (res) => {
      const firstByteAt = performance.now();
      if (res.statusCode !== 200) {
        clearTimeout(timer);
        reject(new Error(`GET ${path}: ${res.statusCode}`));
        res.resume();
        return;
      }
      let end: End | undefined;
      let endAt = 0;
      let events = 0;
      let bodyBytes = 0;
      let receivedAt = 0;
      // The app's own parser and schemas: an event the browser would skip fails the benchmark.
      const parse = sseParser(({ data }) => {
        if (data === null) return; // a heartbeat
        const parsed = parseRunEvent(data);
        if (!parsed.ok) return void req.destroy(new Error(`GET ${path}: ${parsed.reason}`));
        const event = parsed.event;
        events += 1;
        onEvent(event, receivedAt);
        if (event.type === 'end') {
          end = event;
          endAt = receivedAt;
        }
      });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        // One timestamp per network chunk: every event in it arrived at the same moment.
        receivedAt = performance.now();
        bodyBytes += Buffer.byteLength(chunk);
        parse(chunk);
      });
      res.on('end', () => {
        clearTimeout(timer);
        if (!end) reject(new Error(`GET ${path}: the event stream closed before its end event`));
        else resolve({ end, requestedAt, firstByteAt, endAt, events, bodyBytes, wireBytes: res.socket?.bytesRead ?? Number.NaN });
      });
      res.on('error', reject);
    });
    const timer = setTimeout(() => req.destroy(new Error(`${path}: no end after ${timeoutMs / 1000} s`)), timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end();
  });
}
