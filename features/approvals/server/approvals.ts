import 'server-only';
import { randomUUID } from 'node:crypto';
import { AppError } from '@/lib/errors';
import type { DecideApprovalInput } from '../schemas';
import type { ApprovalOutcome } from '../types';
import { RESTARTED_NOTE } from '../vocabulary';

/**
 * Tools that only read (or keep the agent's checklist, the CLI's task list, or start a subagent,
 * whose own calls are asked): in ask mode they never wait for anyone.
 */
const READING_TOOLS = new Set(['Read', 'Glob', 'Grep', 'TaskCreate', 'TaskUpdate', 'TaskList', 'TaskGet', 'Agent']);

/** What the agent's tool call would do, as the approval card and the push show it. */
export type ToolCallDescription = { summary: string; detail: string | null };

/** What approvals announce: the run turns these into its `approval` and `approval_decided` events. */
export type ApprovalEvent =
  | { type: 'approval'; approvalId: string; toolId: string; tool: string; summary: string; detail: string | null; expiresAt: string }
  | ({ type: 'approval_decided'; approvalId: string } & ApprovalOutcome);

export type Verdict = { behavior: 'allow' } | { behavior: 'deny'; message: string };

type Pending = { tool: string; settle: (decision: ApprovalOutcome) => void; timer: NodeJS.Timeout };

export const NO_ANSWER_NOTE = 'No answer in time';

export const USER_DENIAL_PREFIX = 'The user denied this action.';

/** How a denial reads to the model (and, in the tool card, to the visitor): the note is for the agent, so it can adapt. */
export function denialMessage(note: string | null): string {
  return note ? `${USER_DENIAL_PREFIX} Their note: ${note}` : `${USER_DENIAL_PREFIX} Do not try it again in another way without asking.`;
}

/**
 * A run's tool approvals in ask mode. Each request becomes an `approval` event that any viewer
 * (any tab, any device of the visitor, after a reload) can answer; the first decision wins and is
 * an `approval_decided` event everyone sees. Unanswered, a request expires as a denial.
 */
export class Approvals {
  private readonly pending = new Map<string, Pending>();
  private readonly decided = new Map<string, ApprovalOutcome>();
  private readonly allowedForRun = new Set<string>();

  constructor(private readonly emit: (event: ApprovalEvent) => void) {}

  static needsApproval(tool: string): boolean {
    return !READING_TOOLS.has(tool);
  }

  get waiting(): boolean {
    return this.pending.size > 0;
  }

  /** Tool calls waiting for the visitor's answer (a turn can ask about several at once). */
  get waitingCount(): number {
    return this.pending.size;
  }

  /**
   * Asks the visitor about one tool call and resolves with their verdict (or the expiry's).
   * `onAsked` runs once the request is out (a tool allowed for the rest of the run asks nobody).
   */
  async request({
    tool,
    toolId,
    description,
    timeoutMs,
    onAsked,
  }: {
    tool: string;
    toolId: string;
    description: ToolCallDescription;
    timeoutMs: number;
    onAsked?: (approvalId: string) => void;
  }): Promise<Verdict> {
    if (this.allowedForRun.has(tool)) return { behavior: 'allow' };
    const approvalId = randomUUID();
    const decision = await new Promise<ApprovalOutcome>((resolve) => {
      const timer = setTimeout(() => this.settle(approvalId, { decision: 'deny', scope: 'once', note: NO_ANSWER_NOTE, by: 'expiry', device: null }), timeoutMs);
      timer.unref();
      this.pending.set(approvalId, { tool, settle: resolve, timer });
      this.emit({ type: 'approval', approvalId, toolId, tool, ...description, expiresAt: new Date(Date.now() + timeoutMs).toISOString() });
      onAsked?.(approvalId);
    });
    return decision.decision === 'allow' ? { behavior: 'allow' } : { behavior: 'deny', message: denialMessage(decision.note) };
  }

  /** A visitor's decision: an unknown approval is not found, one already settled is a conflict. */
  decide(approvalId: string, { decision, note, scope, device }: DecideApprovalInput): void {
    const earlier = this.decided.get(approvalId);
    if (earlier) {
      const outcome =
        earlier.by === 'expiry'
          ? 'expired'
          : earlier.by === 'stop'
            ? 'was ended by Stop'
            : earlier.by === 'restart'
              ? 'is asked again after a server restart'
              : `was already ${earlier.decision === 'allow' ? 'allowed' : 'denied'}`;
      throw new AppError('conflict:approval_decided', `This approval ${outcome}.`);
    }
    if (!this.pending.has(approvalId)) throw new AppError('not_found:approval', 'No such approval in this run.');
    this.settle(approvalId, { decision, scope: decision === 'allow' ? scope : 'once', note: note || null, by: 'visitor', device: device ?? null });
  }

  /** Ends every pending approval: Stop, or a restart (the run goes on after it, and asks again). */
  settleAll(by: 'stop' | 'restart'): void {
    const note = by === 'stop' ? 'The run was stopped.' : RESTARTED_NOTE;
    for (const approvalId of [...this.pending.keys()]) this.settle(approvalId, { decision: 'deny', scope: 'once', note, by, device: null });
  }

  private settle(approvalId: string, decision: ApprovalOutcome): void {
    const pending = this.pending.get(approvalId);
    if (!pending) return;
    this.pending.delete(approvalId);
    this.decided.set(approvalId, decision);
    clearTimeout(pending.timer);
    if (decision.decision === 'allow' && decision.scope === 'run') this.allowedForRun.add(pending.tool);
    this.emit({ type: 'approval_decided', approvalId, ...decision });
    pending.settle(decision);
  }
}
