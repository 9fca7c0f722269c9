import 'server-only';
import { AppError } from '@/lib/errors';
import { logger } from '@/lib/logger';
import { dedicatedRedis, redis, type Redis } from '@/lib/redis';
import type { DecideApprovalInput } from '@/features/approvals';
import type { AgentMode, RunEvent, RunInfo } from '../types';
import { instanceId } from '@/features/cluster/server';
import { RunEventLog } from '@/features/timeline/server';
import { FINISHED_RUN_RETENTION_SECONDS, publishControl, streamKey, visibleKey, type Control } from './live-events';

/** A mirror nobody has watched for this long stops reading. */
const IDLE_MIRROR_MS = 30_000;
const BLOCK_MS = 5_000;

// Mirrors of other instances' runs that viewers here watch, one per run.
const store = globalThis as { tetherRemoteRuns?: Map<string, Promise<RemoteRun>> };
const mirrors = (store.tetherRemoteRuns ??= new Map());

/**
 * The visitor's run when another instance runs it (or ran it), mirrored from its stream; null
 * without Redis, or when the run's events are not in Redis (unknown, or finished long ago: its
 * history has it).
 */
export async function remoteRun(record: RunInfo & { owner: string | null; visitorId: string }): Promise<RemoteRun | null> {
  const connection = redis();
  if (!connection || !record.owner) return null;
  let mirror = mirrors.get(record.id);
  if (!mirror) {
    mirror = (async () => {
      const client = await connection;
      // A running run's first event may not have reached Redis yet: follow it anyway. A finished
      // one without a stream is gone from here (its history has it).
      if (record.status !== 'running' && !(await client.exists(streamKey(record.id)))) throw new AppError('not_found:run', 'No such run.');
      const remote = new RemoteRun(record, record.owner!);
      await remote.catchUp(client);
      return remote;
    })();
    mirrors.set(record.id, mirror);
    mirror.catch(() => mirrors.delete(record.id));
  }
  try {
    const remote = await mirror;
    remote.owner = record.owner; // a run continued after its server went has a new owner
    return remote.visitorId === record.visitorId ? remote : null;
  } catch {
    return null;
  }
}

/** Another instance's run, as viewers here see it: its events from Redis, Stop and decisions sent to its owner. */
export class RemoteRun extends RunEventLog {
  /** Told apart from a Run by this, not by `instanceof` (each Next bundle has its own classes). */
  readonly remote = true;
  readonly id: string;
  readonly conversationId: string;
  readonly visitorId: string;
  readonly model: string;
  readonly mode: AgentMode;

  constructor(
    record: RunInfo & { visitorId: string },
    /** The instance running it, where Stop and decisions go. */
    public owner: string,
  ) {
    super();
    ({ id: this.id, conversationId: this.conversationId, visitorId: this.visitorId, model: this.model, mode: this.mode } = record);
  }

  /** Reads what the stream has, then follows it (on a connection of its own) until the end, or nobody watches. */
  async catchUp(client: Redis): Promise<void> {
    for (const entry of await client.xRange(streamKey(this.id), '-', '+')) this.receive(entry.message.event!);
    if (this.status === 'running') void this.follow();
    else setTimeout(() => mirrors.delete(this.id), FINISHED_RUN_RETENTION_SECONDS * 1000).unref();
  }

  override addVisibleViewer(): () => void {
    const connection = redis()!;
    const change = (delta: number) =>
      void connection.then((client) => client.hIncrBy(visibleKey(this.id), instanceId(), delta)).catch((error: unknown) => logger.warn('visible viewer count failed', { runId: this.id, error }));
    change(1);
    let attached = true;
    return () => {
      if (attached) change(-1);
      attached = false;
    };
  }

  async stop(): Promise<void> {
    await this.send({ type: 'stop', runId: this.id });
  }

  /** Checked here against the events seen (unknown → 404, settled → 409), then sent to the owner, where the first decision wins. */
  async decide(approvalId: string, input: DecideApprovalInput): Promise<void> {
    if (!this.events.some((event) => event.type === 'approval' && event.approvalId === approvalId)) throw new AppError('not_found:approval', 'No such approval in this run.');
    if (this.events.some((event) => event.type === 'approval_decided' && event.approvalId === approvalId) || this.status !== 'running') {
      throw new AppError('conflict:approval_decided', 'This approval was already decided.');
    }
    await this.send({ type: 'decide', runId: this.id, approvalId, input });
  }

  info(): RunInfo {
    return { id: this.id, conversationId: this.conversationId, model: this.model, mode: this.mode, status: this.status };
  }

  private async send(control: Control): Promise<void> {
    await publishControl(this.owner, control);
  }

  private receive(data: string): void {
    const event = JSON.parse(data) as RunEvent;
    // Exactly once, in order: anything but the next number was seen already (or would leave a gap).
    if (event.seq === this.events.length + 1) this.append(event);
  }

  private async follow(): Promise<void> {
    const reader = await dedicatedRedis();
    let lastWatched = Date.now();
    try {
      while (this.status === 'running') {
        if (this.listenerCount > 0) lastWatched = Date.now();
        else if (Date.now() - lastWatched > IDLE_MIRROR_MS) break;
        const replies = (await reader.xRead({ key: streamKey(this.id), id: `${this.events.length}-0` }, { BLOCK: BLOCK_MS, COUNT: 1000 })) as Array<{
          messages: Array<{ message: Record<string, string> }>;
        }> | null;
        for (const reply of replies ?? []) for (const { message } of reply.messages) this.receive(message.event!);
      }
    } catch (error) {
      logger.warn('following a run on another instance failed', { runId: this.id, error });
    } finally {
      await reader.close().catch(() => {});
      // Finished: kept for late viewers as long as the owner keeps it; abandoned: read afresh next time.
      if (this.status === 'running') mirrors.delete(this.id);
      else setTimeout(() => mirrors.delete(this.id), FINISHED_RUN_RETENTION_SECONDS * 1000).unref();
    }
  }
}
