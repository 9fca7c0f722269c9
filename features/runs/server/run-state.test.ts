/**
 * The run's state machine on its own: every legal move, every illegal one, which request to end
 * wins, and how each reason reads. The runs themselves (real SDK and CLI) are in run-manager.test.ts.
 */
import type { SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import { endReasons, endTable, IllegalRunTransition, RunState, runPhases, runTransitions, type RunPhase, type TurnOutcome } from './run-state';

/** The shortest path of legal moves from queued to `target`. */
function pathTo(target: RunPhase): RunPhase[] {
  const seen = new Map<RunPhase, RunPhase[]>([['queued', []]]);
  const queue: RunPhase[] = ['queued'];
  while (queue.length > 0) {
    const phase = queue.shift()!;
    for (const next of runTransitions[phase]) {
      if (seen.has(next)) continue;
      seen.set(next, [...seen.get(phase)!, next]);
      queue.push(next);
    }
  }
  const path = seen.get(target);
  if (!path) throw new Error(`${target} cannot be reached`);
  return path;
}

function stateIn(phase: RunPhase): RunState {
  const state = new RunState();
  for (const step of pathTo(phase)) state.moveTo(step);
  expect(state.phase).toBe(phase);
  return state;
}

const legal = runPhases.flatMap((from) => runTransitions[from].map((to) => [from, to] as const));
const illegal = runPhases.flatMap((from) => runPhases.filter((to) => to !== from && !runTransitions[from].includes(to)).map((to) => [from, to] as const));

const result = (fields: Partial<SDKResultMessage>) => ({ subtype: 'success', is_error: false, result: 'done', terminal_reason: 'completed', ...fields }) as SDKResultMessage;
const answered: TurnOutcome = { result: result({}), thrown: undefined };
const cutOff: TurnOutcome = { result: result({ terminal_reason: 'aborted_streaming' } as Partial<SDKResultMessage>), thrown: undefined };
const broken: TurnOutcome = { result: undefined, thrown: new Error('API Error: 500 upstream exploded') };

describe('a run state machine', () => {
  it('starts queued, working, with no reason to end', () => {
    const state = new RunState();
    expect([state.phase, state.working, state.ending, state.endReason]).toEqual(['queued', true, false, null]);
  });

  it('every phase can be reached, and only ended has no way out', () => {
    for (const phase of runPhases) stateIn(phase);
    expect(runPhases.filter((phase) => runTransitions[phase].length === 0)).toEqual(['ended']);
  });

  it.each(legal)('moves from %s to %s', (from, to) => {
    const state = stateIn(from);
    state.moveTo(to);
    expect(state.phase).toBe(to);
  });

  it.each(illegal)('refuses to move from %s to %s, and stays', (from, to) => {
    const state = stateIn(from);
    expect(() => state.moveTo(to)).toThrow(IllegalRunTransition);
    expect(state.phase).toBe(from);
  });

  it('has a legal and an illegal case for every pair of distinct phases', () => {
    expect(legal.length + illegal.length).toBe(runPhases.length * (runPhases.length - 1));
    expect(illegal.length).toBeGreaterThan(0);
  });

  it('staying in the same phase does nothing (two approvals wait at once)', () => {
    const state = stateIn('waiting_for_approval');
    state.moveTo('waiting_for_approval');
    expect(state.phase).toBe('waiting_for_approval');
  });

  it('is working until its turn is over', () => {
    expect(runPhases.filter((phase) => stateIn(phase).working)).toEqual(['queued', 'starting', 'running', 'waiting_for_approval']);
  });
});

describe('a request to end', () => {
  it('a stronger reason replaces a weaker one, never the other way round', () => {
    const state = stateIn('running');
    expect(state.requestEnd('stopped')).toBe(true);
    expect(state.requestEnd('budget', 'Daily budget spent.')).toBe(true);
    expect(state.requestEnd('budget', 'again')).toBe(false);
    expect(state.requestEnd('stopped')).toBe(false);
    expect([state.endReason, state.endMessage]).toEqual(['budget', 'Daily budget spent.']);
    expect(state.requestEnd('time_limit')).toBe(true);
    expect(state.requestEnd('interrupted')).toBe(true);
    expect(state.requestEnd('time_limit')).toBe(false);
    expect([state.endReason, state.ending]).toEqual(['interrupted', true]);
  });

  it("handing a run over (its server restarts) is the weakest: the visitor's Stop still ends it for good", () => {
    const state = stateIn('running');
    expect(state.requestEnd('handed_over')).toBe(true);
    expect(state.requestEnd('stopped')).toBe(true);
    expect(state.requestEnd('handed_over')).toBe(false);
    expect(state.endReason).toBe('stopped');
  });

  it('comes too late once the turn is over', () => {
    const state = stateIn('finishing');
    expect(state.requestEnd('stopped')).toBe(false);
    expect(state.endReason).toBeNull();
  });

  it('a queued run can be asked to end', () => {
    const state = new RunState();
    expect(state.requestEnd('stopped')).toBe(true);
    state.moveTo('finishing');
    expect(state.settle({ result: undefined, thrown: undefined })).toBe('stopped');
  });
});

describe('how a run ends', () => {
  const settled = (requested: 'handed_over' | 'stopped' | 'budget' | 'time_limit' | 'interrupted' | null, outcome: TurnOutcome) => {
    const state = stateIn('running');
    if (requested) state.requestEnd(requested, requested === 'budget' ? 'Out of budget.' : null);
    state.moveTo('finishing');
    return state.settle(outcome);
  };

  it.each([
    [null, answered, 'completed'],
    [null, cutOff, 'completed'],
    [null, broken, 'agent_failed'],
    ['stopped', cutOff, 'stopped'],
    ['stopped', broken, 'stopped'],
    // Stop came as the answer completed: nothing was stopped.
    ['stopped', answered, 'completed'],
    ['stopped', { result: result({ is_error: true }), thrown: undefined }, 'agent_failed'],
    ['budget', answered, 'completed_over_budget'],
    ['budget', cutOff, 'budget'],
    ['budget', broken, 'budget'],
    ['time_limit', answered, 'time_limit'],
    ['time_limit', broken, 'time_limit'],
    ['interrupted', answered, 'interrupted'],
    ['interrupted', broken, 'interrupted'],
    // Handed over as the answer completed: it stands; cut off, the rest goes on after the restart.
    ['handed_over', answered, 'completed'],
    ['handed_over', cutOff, 'handed_over'],
    ['handed_over', broken, 'handed_over'],
  ] as const)('asked %s, the turn coming back as given, ends %s', (requested, outcome, reason) => {
    expect(settled(requested, outcome)).toBe(reason);
  });

  it('each reason has one status, and a failure exactly when it failed', () => {
    const context = { outcome: broken, message: 'Out of budget.', timeLimitSeconds: 120 };
    const rows = endReasons
      .filter((reason) => reason !== 'handed_over')
      .map((reason) => {
        const { status, failure, notice } = endTable[reason];
        return [reason, status, failure?.(context) ?? null, notice?.(context) ?? null];
      });
    expect(rows).toEqual([
      ['completed', 'completed', null, null],
      ['completed_over_budget', 'completed', null, 'Out of budget.'],
      ['stopped', 'stopped', null, 'Stopped.'],
      ['interrupted', 'interrupted', null, 'The server is restarting; this run was cut off. Send a message to carry on.'],
      ['time_limit', 'failed', { code: 'limit:run_time', message: 'This run reached the time limit of 2 min and was stopped. Send a message to carry on.' }, null],
      ['budget', 'failed', { code: 'limit:budget', message: 'Out of budget.' }, null],
      ['agent_failed', 'failed', { code: 'model:unavailable', message: 'The model API is unavailable (API Error: 500 upstream exploded).' }, null],
      ['finishing_failed', 'failed', { code: 'internal', message: 'Something went wrong on our side while finishing this run.' }, null],
    ]);
  });

  it('a run whose recording failed ends failed, whatever was asked', () => {
    const state = stateIn('running');
    state.requestEnd('stopped');
    state.moveTo('finishing');
    state.failFinishing();
    expect(state.endReason).toBe('finishing_failed');
  });
});
