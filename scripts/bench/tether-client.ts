import { request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { RunEvent } from '@/features/runs/types';
import { send, type AppServer } from './app-server';

export const BENCH_MODEL = 'claude-sonnet-4-5';

/**
 * Sends one message the way the browser does (POST, then follow the run's SSE from seq 0) and
 * resolves after the `end` event. `onEvent` gets each event with the time its chunk arrived.
 */
export async function sendThroughTether({ server, cookie, conversationId, text, onEvent = () => {} }: {
  server: AppServer;
  cookie: string;
  conversationId: string;
  text: string;
  onEvent?: (event: RunEvent, receivedAt: number) => void;
}): Promise<{ sentAt: number; endAt: number; end: Extract<RunEvent, { type: 'end' }> }> {
  const sentAt = performance.now();
  const posted = await send(server, { method: 'POST', path: `/api/conversations/${conversationId}/messages`, cookie, json: { text, model: BENCH_MODEL, mode: 'plan' } });
  if (posted.status !== 202) throw new Error(`send failed (${posted.status}): ${posted.body}`);
  const runId = (JSON.parse(posted.body) as { run: { id: string } }).run.id;
  let end: Extract<RunEvent, { type: 'end' }> | undefined;
  let endAt = 0;
  await readEvents({ server, cookie, path: `/api/runs/${runId}/events?after=0` }, (event, receivedAt) => {
    onEvent(event, receivedAt);
    if (event.type === 'end') {
      end = event;
      endAt = receivedAt;
    }
  });
  if (!end) throw new Error(`run ${runId}: the event stream closed before its end event`);
  if (end.status !== 'completed') throw new Error(`run ${runId} ended ${end.status}`);
  return { sentAt, endAt, end };
}

/** Reads an SSE response to its close (the server closes after `end`), bounded to 60 s. */
function readEvents({ server, cookie, path }: { server: AppServer; cookie: string; path: string }, onEvent: (event: RunEvent, receivedAt: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, path, headers: { host: server.host, cookie, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`GET ${path}: ${res.statusCode}`));
        res.resume();
        return;
      }
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        // One timestamp per network chunk: every event in it arrived at the same moment.
        const receivedAt = performance.now();
        buffer += chunk;
        let boundary;
        while ((boundary = buffer.indexOf('\n\n')) !== -1) {
          const frame = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary + 2);
          const data = frame.split('\n').find((line) => line.startsWith('data: '));
          if (data) onEvent(JSON.parse(data.slice(6)) as RunEvent, receivedAt);
        }
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve();
      });
      res.on('error', reject);
    });
    const timer = setTimeout(() => req.destroy(new Error(`${path}: no end after 60 s`)), 60_000);
    req.on('error', reject);
    req.end();
  });
}
