import 'server-only';
import type { RunStatus } from '@/features/conversations/vocabulary';
import type { RunEvent } from '../types';

type Listener = (event: RunEvent) => void;
const encoder = new TextEncoder();

/**
 * A run's numbered events as viewers see them: kept, so any number of viewers can attach at any
 * point (`after` = the last sequence number they have) and see every event exactly once, in
 * order. The run itself (on the instance that runs it) and its mirror on another instance
 * (fed from Redis) are both one of these.
 */
export abstract class RunEventLog {
  readonly events: RunEvent[] = [];
  status: RunStatus = 'running';
  /** Each event's SSE frame, encoded once and shared by every viewer. */
  private readonly frames: Uint8Array[] = [];
  private readonly listeners = new Set<Listener>();
  /** Where the events are kept beyond this log (a journal, a Redis stream): handed each event before any viewer. */
  private readonly recorders: Listener[] = [];

  abstract readonly id: string;
  abstract readonly visitorId: string;

  /** A viewer whose page is visible attached; call the returned function once it detaches. */
  abstract addVisibleViewer(): () => void;

  /** Appends the next event (its `seq` must be the next number) and hands it to every listener. */
  protected append(event: RunEvent): void {
    this.events.push(event);
    if (event.type === 'end') this.status = event.status;
    for (const recorder of this.recorders) recorder(event);
    for (const listener of this.listeners) listener(event);
    if (event.type === 'end') {
      // nothing follows the end
      this.listeners.clear();
      this.recorders.length = 0;
    }
  }

  /** The event as an SSE frame; its id is the sequence number, so a client resumes with Last-Event-ID. */
  frame(event: RunEvent): Uint8Array {
    return (this.frames[event.seq - 1] ??= encoder.encode(`id: ${event.seq}\nevent: run\ndata: ${JSON.stringify(event)}\n\n`));
  }

  /** Replays the events after `after`, then delivers new ones as they happen. Returns the unsubscribe. */
  subscribe(after: number, listener: Listener): () => void {
    for (const event of this.events.slice(after)) listener(event);
    if (this.status !== 'running') return () => {};
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Keeps the events after `after`, then each new one, before viewers get it; not a viewer (never counted, never detached). */
  addRecorder(after: number, recorder: Listener): void {
    for (const event of this.events.slice(after)) recorder(event);
    if (this.status === 'running') this.recorders.push(recorder);
  }

  protected get listenerCount(): number {
    return this.listeners.size;
  }
}
