/**
 * The SSE viewers of the fan-out benchmark, in a worker thread of the bench process: parsing
 * 1,000 streams must not hold up the main thread, where the scripted API writes (and stamps)
 * the deltas. Receive times are on the process-wide monotonic clock (`monotonicMs`).
 *
 * Protocol: workerData = ViewerJob; posts 'ready' once loaded; on 'connect' opens the viewers and
 * posts `{ type: 'connected', … }` once every viewer has its `start` event (or failed); 'streaming'
 * marks the start of the stream (for the thread's busy share); then it posts
 * `{ type: 'done', … }` when every stream closed or after the main thread sends 'finish' (which
 * cuts the streams still open).
 */
import { Agent, request, type ClientRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { sseParser } from '../../features/timeline/follower/sse-parser';
import { deltaIndices, monotonicMs } from './sse';

export type ViewerJob = { port: number; host: string; cookie: string; path: string; viewers: number; deltas: number; connectConcurrency: number };
export type ViewersDone = {
  type: 'done';
  /** receivedAt[viewer * deltas + index]: when that viewer got delta `index` (monotonic ms; NaN = never). */
  receivedAt: Float64Array;
  ended: number;
  /** When the last `end` arrived (monotonic ms). */
  lastEndAt: number;
  duplicates: number;
  outOfOrder: number;
  errors: string[];
  /** Share of the time since the main thread said 'streaming' that this thread was busy (event-loop utilization, 0–1). */
  busy: number;
};
export type ViewersConnected = { type: 'connected'; connected: number; failed: number; connectMs: number };
export type ViewersReady = { type: 'ready' };

const job = workerData as ViewerJob;
const port = parentPort!;
const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
const receivedAt = new Float64Array(job.viewers * job.deltas).fill(Number.NaN);
const requests = new Set<ClientRequest>();
const errors: string[] = [];
let connected = 0;
let failed = 0;
let ended = 0;
let lastEndAt = Number.NaN;
let closed = 0;
let duplicates = 0;
let outOfOrder = 0;
let finished = false;
let streamingSince: ReturnType<typeof performance.eventLoopUtilization> | undefined;

function finish() {
  if (finished) return;
  finished = true;
  for (const req of requests) req.destroy();
  agent.destroy();
  const busy = streamingSince ? performance.eventLoopUtilization(streamingSince).utilization : Number.NaN;
  const done: ViewersDone = { type: 'done', receivedAt, ended, lastEndAt, duplicates, outOfOrder, errors: errors.slice(0, 5), busy };
  port.postMessage(done, [receivedAt.buffer]);
}

port.on('message', (message) => {
  if (message === 'finish') finish();
  if (message === 'connect') void connectAll();
  if (message === 'streaming') streamingSince = performance.eventLoopUtilization();
});

/** Opens one viewer; resolves once it has the run's `start` event (it is connected) or failed. */
function openViewer(viewer: number): Promise<void> {
  return new Promise((resolveConnected) => {
    let isConnected = false;
    let last = -1;
    const connectedOnce = (ok: boolean) => {
      if (isConnected) return;
      isConnected = true;
      if (ok) connected += 1;
      else failed += 1;
      resolveConnected();
    };
    let isClosed = false;
    const onClose = () => {
      if (isClosed) return;
      isClosed = true;
      requests.delete(req);
      closed += 1;
      connectedOnce(false);
      if (closed === job.viewers) finish();
    };
    const req = request({ host: '127.0.0.1', port: job.port, path: job.path, agent, headers: { host: job.host, cookie: job.cookie, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        errors.push(`viewer ${viewer}: status ${res.statusCode}`);
        res.resume();
        res.on('end', onClose);
        return;
      }
      let now = 0;
      // Plain JSON, not the event schemas: a thousand streams' worth of validation in this one
      // thread would hold up the receive stamps this benchmark measures.
      const parse = sseParser(({ data }) => {
        if (data === null) return; // a heartbeat
        const event = JSON.parse(data) as { type: string; text?: string };
        if (event.type === 'start') connectedOnce(true);
        else if (event.type === 'end') {
          ended += 1;
          lastEndAt = now;
        } else if (event.type === 'text') {
          for (const index of deltaIndices(event.text!)) {
            const slot = viewer * job.deltas + index;
            if (!Number.isNaN(receivedAt[slot]!)) duplicates += 1;
            else receivedAt[slot] = now;
            if (index <= last) outOfOrder += 1;
            last = index;
          }
        }
      });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        now = monotonicMs(); // one stamp per network chunk, taken before any parsing
        parse(chunk);
      });
      res.on('end', onClose);
      res.on('error', () => {});
    });
    requests.add(req);
    req.on('error', (error) => {
      if (!finished && !isClosed) errors.push(`viewer ${viewer}: ${error.message}`);
      onClose();
    });
    req.end();
  });
}

async function connectAll() {
  const started = performance.now();
  // At most `connectConcurrency` viewers connecting at once (a burst of 1,000 SYNs overflows the accept backlog).
  let next = 0;
  const lane = async () => {
    while (next < job.viewers && !finished) await openViewer(next++);
  };
  await Promise.all(Array.from({ length: Math.min(job.connectConcurrency, job.viewers) }, lane));
  const message: ViewersConnected = { type: 'connected', connected, failed, connectMs: performance.now() - started };
  port.postMessage(message);
}

const ready: ViewersReady = { type: 'ready' };
port.postMessage(ready);
