import 'server-only';
import type { RunStatus } from '../types';
import { describeFailure, timeLimitFailure, type TurnOutcome } from '@/features/agents/server';

/**
 * A run's life, one phase at a time:
 * - queued: admitted, waiting for an agent slot;
 * - starting: an agent process has it, no word from the CLI yet;
 * - running: the CLI is answering;
 * - waiting_for_approval: a tool call waits for the visitor (ask mode);
 * - finishing: the turn is over, the run is being recorded;
 * - ended: its `end` event is out.
 */
export const runPhases = ['queued', 'starting', 'running', 'waiting_for_approval', 'finishing', 'ended'] as const;
export type RunPhase = (typeof runPhases)[number];

/** Where each phase may go next. Every phase can finish: a stop, a failure or a crash can come at any point. */
export const runTransitions: Readonly<Record<RunPhase, readonly RunPhase[]>> = {
  queued: ['starting', 'finishing'],
  // The CLI can ask for approval before its first message reaches us.
  starting: ['running', 'waiting_for_approval', 'finishing'],
  // Back to starting: the session was gone, and a fresh process takes the message again.
  running: ['waiting_for_approval', 'starting', 'finishing'],
  // Starting over too: the turn broke off while a call waited, and the session was gone.
  waiting_for_approval: ['running', 'starting', 'finishing'],
  finishing: ['ended'],
  ended: [],
};

/** Why a run ends, as the outcome of its turn settles it. */
export const endReasons = ['completed', 'completed_over_budget', 'stopped', 'interrupted', 'handed_over', 'time_limit', 'budget', 'agent_failed', 'finishing_failed'] as const;
export type EndReason = (typeof endReasons)[number];

/**
 * The reasons something outside the turn can end it with, weakest first: a stronger one replaces
 * a weaker one. Handed over (its server restarts; another process continues it) is the weakest:
 * the visitor's Stop, or a spent limit, still ends the run for good.
 */
const requestedEnds = ['handed_over', 'stopped', 'budget', 'time_limit', 'interrupted'] as const;
export type RequestedEnd = (typeof requestedEnds)[number];

/** What the turn came back with: the SDK's result, or what was thrown, and whether the CLI died. */
export type { TurnOutcome };

type EndContext = { outcome: TurnOutcome; message: string | null; timeLimitSeconds: number };
type EndEntry = {
  status: Exclude<RunStatus, 'running'>;
  /** The `error` event (and the recorded error) of a failed run. */
  failure?: (context: EndContext) => { code: string; message: string };
  /** The `notice` event a run that did not fail ends with. */
  notice?: (context: EndContext) => string;
};

/** How each reason reads: the run's final status, and its error or notice (a handed-over run has not ended). */
export const endTable: Readonly<Record<Exclude<EndReason, 'handed_over'>, EndEntry>> = {
  completed: { status: 'completed' },
  // The answer was complete when the budget ran out: it stands, and the next message will be refused.
  completed_over_budget: { status: 'completed', notice: ({ message }) => message ?? '' },
  stopped: { status: 'stopped', notice: () => 'Stopped.' },
  interrupted: { status: 'interrupted', notice: () => 'The server is restarting; this run was cut off. Send a message to carry on.' },
  time_limit: { status: 'failed', failure: ({ timeLimitSeconds }) => timeLimitFailure(timeLimitSeconds) },
  budget: { status: 'failed', failure: ({ message }) => ({ code: 'limit:budget', message: message ?? 'A budget ran out.' }) },
  agent_failed: { status: 'failed', failure: ({ outcome }) => describeFailure(outcome) },
  finishing_failed: { status: 'failed', failure: () => ({ code: 'internal', message: 'Something went wrong on our side while finishing this run.' }) },
};

export class IllegalRunTransition extends Error {
  constructor(from: RunPhase, to: RunPhase) {
    super(`A run cannot go from ${from} to ${to}.`);
  }
}

/**
 * One run's phase and why it ends. `endReason` is set as soon as something asks the run to end
 * (Stop, a time limit, a budget, shutdown) and settled by the turn's outcome once it is over.
 */
export class RunState {
  private current: RunPhase = 'queued';
  private reason: EndReason | null = null;
  /** What came with the request to end: the budget's message. */
  private reasonMessage: string | null = null;

  get phase(): RunPhase {
    return this.current;
  }

  get endReason(): EndReason | null {
    return this.reason;
  }

  get endMessage(): string | null {
    return this.reasonMessage;
  }

  /** An agent is (or may soon be) working on it: Stop has something to stop. */
  get working(): boolean {
    return this.current !== 'finishing' && this.current !== 'ended';
  }

  /** Something asked this run to end: its turn must not start over or ask for more. */
  get ending(): boolean {
    return this.reason !== null;
  }

  /** Moves to `next`; staying where it is does nothing. An illegal move throws: it is a bug. */
  moveTo(next: RunPhase): void {
    if (next === this.current) return;
    if (!runTransitions[this.current].includes(next)) throw new IllegalRunTransition(this.current, next);
    this.current = next;
  }

  /** Asks the run to end for `reason`; false when it already ends for that reason or a stronger one. */
  requestEnd(reason: RequestedEnd, message: string | null = null): boolean {
    const held = requestedEnds.indexOf(this.reason as RequestedEnd);
    if (!this.working || held >= requestedEnds.indexOf(reason)) return false;
    this.reason = reason;
    this.reasonMessage = message;
    return true;
  }

  /** Settles why the run ends from its turn's outcome (and any request to end it). */
  settle(outcome: TurnOutcome): EndReason {
    this.reason = settledReason(this.reason, outcome);
    return this.reason;
  }

  /** The run could not be recorded the ordinary way: it ends failed, whatever was asked. */
  failFinishing(): void {
    this.reason = 'finishing_failed';
  }
}

function settledReason(requested: EndReason | null, { result, thrown }: TurnOutcome): EndReason {
  const answered = result !== undefined && !result.is_error && !thrown;
  const completed = answered && result.terminal_reason === 'completed';
  switch (requested) {
    case 'interrupted':
    case 'time_limit':
      return requested;
    // An answer that completed as the server began its restart stands; the rest goes on elsewhere.
    case 'handed_over':
      return completed ? 'completed' : 'handed_over';
    case 'budget':
      return completed ? 'completed_over_budget' : 'budget';
    // A Stop that came as the answer completed did not stop anything: record what really happened.
    case 'stopped':
      return result?.terminal_reason !== 'completed' ? 'stopped' : answered ? 'completed' : 'agent_failed';
    default:
      return answered ? 'completed' : 'agent_failed';
  }
}
