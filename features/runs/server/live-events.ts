import 'server-only';
import { logger } from '@/lib/logger';
import { dedicatedRedis, redis } from '@/lib/redis';
import type { DecideApprovalInput } from '@/features/approvals';
import type { AgentMode, RunEvent } from '../types';
import { instanceId } from '@/features/cluster/server';
import type { Run } from './run';

/**
 * Runs seen from every instance, through Redis (with REDIS_URL; without it everything stays in
 * the process that runs the agent). The instance that runs a run publishes its numbered events
 * to a Redis Stream of its own (entry id = `<seq>-0`), so a viewer on any instance attaches by
 * `after=` / `Last-Event-ID` exactly as on the owner. Stop and approval decisions from another
 * instance reach the owner on its control channel; viewers' visibility is counted in Redis.
 */

/** How long a finished run's stream stays, as the owner keeps finished runs in memory. */
export const FINISHED_RUN_RETENTION_SECONDS = 10 * 60;
/** Streams are trimmed past this many events (a longer run's first events are then in history only). */
const STREAM_MAX_EVENTS = 50_000;

export const streamKey = (runId: string) => `tether:run:${runId}:events`;
export const visibleKey = (runId: string) => `tether:run:${runId}:visible`;
export const controlChannel = (instance: string) => `tether:instance:${instance}:control`;

export type Control = { type: 'stop'; runId: string } | { type: 'decide'; runId: string; approvalId: string; input: DecideApprovalInput };

// Publishes on their way to Redis: shutdown waits for them before it closes the connection.
const publishing = ((globalThis as { tetherPublishing?: Set<Promise<void>> }).tetherPublishing ??= new Set());

/** At shutdown, before Redis closes: resolves once the events published so far reached it (or after `timeoutMs`). */
export async function publishesSettled(timeoutMs: number): Promise<void> {
  await Promise.race([Promise.all(publishing), new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
}

/** The owner: every event of `run` after `after`, in order, to its stream; the stream expires after the end. */
export function publishRunEvents(run: Run, after = 0): void {
  const connection = redis();
  if (!connection) return;
  run.addRecorder(after, (event) => {
    const published = connection
      .then(async (client) => {
        await client.xAdd(streamKey(run.id), `${event.seq}-0`, { event: JSON.stringify(event) }, { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: STREAM_MAX_EVENTS } });
        if (event.type === 'end') {
          await client.expire(streamKey(run.id), FINISHED_RUN_RETENTION_SECONDS);
          await client.del(visibleKey(run.id));
        }
      })
      .catch((error: unknown) => logger.warn('publishing a run event failed', { runId: run.id, seq: event.seq, error }));
    publishing.add(published);
    void published.finally(() => publishing.delete(published));
  });
}

/** Every event of the run's stream, in order (a continuation of the run starts from them). */
export async function runStreamEvents(runId: string): Promise<RunEvent[]> {
  const client = await redis()!;
  return (await client.xRange(streamKey(runId), '-', '+')).map((entry) => JSON.parse(entry.message.event!) as RunEvent);
}

/**
 * Whoever took over the run of an instance that went silent, and did not continue it, ends its
 * stream, so viewers on every instance get `end` after `notice`. The owner may have added events
 * meanwhile: numbered after the last one there, retried if it moved on.
 */
export async function endOrphanedStream({
  id,
  model,
  mode,
  status,
  notice,
  durationMs,
}: {
  id: string;
  model: string;
  mode: AgentMode;
  status: 'stopped' | 'interrupted';
  notice: string;
  durationMs: number;
}) {
  const connection = redis();
  if (!connection) return;
  const client = await connection;
  for (let attempt = 0; attempt < 3; attempt++) {
    const [last] = await client.xRevRange(streamKey(id), '+', '-', { COUNT: 1 });
    const lastEvent = last ? (JSON.parse(last.message.event!) as RunEvent) : null;
    if (lastEvent?.type === 'end') return;
    const seq = (lastEvent?.seq ?? 0) + 1;
    const events: RunEvent[] = [
      { type: 'notice', message: notice, seq },
      { type: 'end', status, model, mode, costUsd: null, inputTokens: null, outputTokens: null, durationMs, seq: seq + 1 },
    ];
    try {
      for (const event of events) await client.xAdd(streamKey(id), `${event.seq}-0`, { event: JSON.stringify(event) });
      await client.expire(streamKey(id), FINISHED_RUN_RETENTION_SECONDS);
      return;
    } catch (error) {
      logger.warn('ending a taken-over run raced its owner; trying again', { runId: id, error });
    }
  }
}

/** The owner: true when a visible viewer watches `run` on another instance. */
export async function watchedElsewhere(runId: string): Promise<boolean> {
  const connection = redis();
  if (!connection) return false;
  try {
    const counts = await (await connection).hVals(visibleKey(runId));
    return counts.some((count) => Number(count) > 0);
  } catch (error) {
    logger.warn('reading visible viewers failed', { runId, error });
    return false;
  }
}

/** Stop or a decision, to the instance that runs the run (with Redis; it listens on its control channel). */
export async function publishControl(owner: string, control: Control): Promise<void> {
  const connection = redis();
  if (!connection) return;
  await (await connection).publish(controlChannel(owner), JSON.stringify(control));
}

/** The owner, at start: Stop and decisions sent from other instances for this instance's runs. */
export async function listenForControl(handle: (control: Control) => void): Promise<void> {
  if (!redis()) return;
  const subscriber = await dedicatedRedis();
  await subscriber.subscribe(controlChannel(instanceId()), (message) => {
    try {
      handle(JSON.parse(message) as Control);
    } catch (error) {
      logger.warn('bad control message', { error });
    }
  });
}
