import 'server-only';
import type { AgentProcess } from '@/features/agents/server';
import type { PausableTimer } from '@/lib/pausable-timer';
import { Approvals } from '@/features/approvals/server';
import type { AgentMode, RunEvent, RunEventBody, RunInfo } from '../types';
import { RunEventLog } from '@/features/timeline/server';
import { RunState } from './run-state';
import type { RunSnapshots } from '@/features/changes/server';

/**
 * One agent run, owned by the server rather than by the request that started it: its events go
 * to every viewer (RunEventLog), and with Redis to other instances' viewers too (live-events.ts).
 */
export class Run extends RunEventLog {
  /** The CLI process working on this run, once it has one. */
  process: AgentProcess | undefined;
  /** Aborted by Stop or shutdown while the run still waits for a free agent slot. */
  readonly cancelWait = new AbortController();
  /** Its phase (queued … ended) and, once something ends it, why. */
  readonly state = new RunState();
  /** The wall-clock limit (TETHER_RUN_TIME_LIMIT_SECONDS) while an agent works on it; paused while it waits for approval. */
  timeLimit: PausableTimer | undefined;
  /** What the run's model door metered so far: the run's cost and tokens. */
  readonly spent = { usd: 0, inputTokens: 0, outputTokens: 0 };
  /** Ask mode's tool calls waiting for the visitor, and how earlier ones were decided. */
  readonly approvals = new Approvals((body) => this.emit(body));
  /** The workspace's files before the run and after it, its Changes and Undo (null: a run that can't edit). */
  checkpoints: RunSnapshots | null = null;
  /** How often the run was continued after its server went (TETHER_CONTINUE_ATTEMPTS caps it). */
  continuations = 0;
  /** Model requests so far, its earlier halves' included (against TETHER_MAX_TURNS). */
  turns = 0;
  /** The agent time its earlier halves used of the time limit. */
  earlierWorkMs = 0;
  /** The agent has been handed the prompt (a continuation tells it to go on, else it sends the prompt). */
  agentStarted = false;
  /** How full the context was at the agent's latest answer, and the window (the CLI's figures; null until known). */
  context: { tokens: number | null; window: number | null } = { tokens: null, window: null };
  private visibleViewers = 0;
  private markSettled!: () => void;
  /** Resolves once the run ended here, or was handed over to a later process. */
  readonly settled = new Promise<void>((resolve) => (this.markSettled = resolve));

  constructor(
    readonly id: string,
    readonly conversationId: string,
    readonly visitorId: string,
    readonly workspace: string,
    readonly model: string,
    readonly mode: AgentMode,
    readonly startedAt = new Date(),
  ) {
    super();
  }

  /** This process is done with the run: it ended, or it was handed over. */
  settle(): void {
    this.markSettled();
  }

  /** A continuation: the events its earlier half emitted, so the run numbers on from them. */
  resumeFrom(events: RunEvent[]): void {
    for (const event of events) this.append(event);
  }

  /** Agent time used so far, against TETHER_RUN_TIME_LIMIT_SECONDS. */
  workedMs(limitMs: number): number {
    return this.timeLimit ? limitMs - this.timeLimit.remaining() : this.earlierWorkMs;
  }

  emit(body: RunEventBody): RunEvent {
    const event = { ...body, seq: this.events.length + 1 } as RunEvent;
    this.append(event);
    return event;
  }

  /**
   * A viewer whose page is visible attached (its stream says `visible=1`); call the returned
   * function once it detaches. When the run ends with one attached, nobody needs a push.
   */
  override addVisibleViewer(): () => void {
    this.visibleViewers++;
    let attached = true;
    return () => {
      if (attached) this.visibleViewers--;
      attached = false;
    };
  }

  hasVisibleViewer(): boolean {
    return this.visibleViewers > 0;
  }

  /** The answer's last stretch of text (after its last tool call): what a notification previews. */
  finalText(): string {
    const parts: string[] = [];
    for (let i = this.events.length - 1; i >= 0; i--) {
      const event = this.events[i]!;
      if (event.type === 'tool' || event.type === 'tool_result' || event.type === 'start') break;
      if (event.type === 'text') parts.push(event.text);
    }
    return parts.reverse().join('');
  }

  info(): RunInfo {
    return { id: this.id, conversationId: this.conversationId, model: this.model, mode: this.mode, status: this.status };
  }
}
