import 'server-only';
import { setTimeout as sleep } from 'node:timers/promises';
import { serverEnv } from '@/lib/env';
import { logger } from '@/lib/logger';
import type { RunInfo } from '../types';
import { closeAllProcesses, killProcessesOf } from '@/features/agents/server';
import type { Run } from './run';
import { activeRun, activeRuns, forget, runsOf } from './run-registry';

/** Stops a run from any viewer. interrupt() ends the CLI's turn in ~0.1 s (abort() would wait ~2 s). */
export async function stopRun(run: Run): Promise<RunInfo> {
  // Once its turn is over the run is only being recorded: there is nothing left to stop.
  if (!run.state.working) return run.info();
  run.state.requestEnd('stopped');
  await interrupt(run);
  return run.info();
}

/** Ends the run's turn now, wherever it is: in line for a slot, waiting for approval, or working. */
export async function interrupt(run: Run): Promise<void> {
  run.cancelWait.abort(); // a run still waiting for a slot leaves the queue
  // A turn waiting for the visitor's approval can end now (handed over, it is asked again after the restart).
  run.approvals.settleAll(run.state.endReason === 'handed_over' ? 'restart' : 'stop');
  await run.process?.query.interrupt().catch((error: unknown) => logger.warn('interrupt failed', { runId: run.id, error }));
}

/**
 * SIGTERM's drain: resolves once every run in progress here ended by itself (approval waits
 * included), or at `deadlineMs`, or when `skip` aborts (a second signal), whichever comes first.
 * New runs are refused meanwhile (cluster's drain).
 */
export async function runsEnded(deadlineMs: number, skip: AbortSignal): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (activeRuns().length > 0 && !skip.aborted && Date.now() < deadline) {
    const tick = sleep(Math.min(1000, deadline - Date.now()), undefined, { signal: skip }).catch(() => {});
    await Promise.race([tick, ...activeRuns().map((run) => run.settled)]);
  }
}

/**
 * At shutdown, for the runs still going: each is handed over (stopped here, to be continued by
 * this instance's next start or the instance that takes it over), or interrupted when it may not
 * be continued (TETHER_CONTINUE_ATTEMPTS); waits up to `timeoutMs` for each to be recorded.
 */
export async function handOverAllRuns(timeoutMs: number): Promise<void> {
  const active = activeRuns();
  for (const run of active) run.state.requestEnd(mayContinue(run) ? 'handed_over' : 'interrupted');
  await Promise.all(active.map((run) => interrupt(run)));
  await Promise.race([Promise.all(active.map((run) => run.settled)), new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
  closeAllProcesses();
}

/** Whether another process may continue `run` after this one: continuations are on, and it has one left. */
export function mayContinue(run: Run): boolean {
  return run.continuations < serverEnv().TETHER_CONTINUE_ATTEMPTS;
}

/**
 * Makes this process forget a conversation that was deleted: kills its agent processes (a run in
 * progress ends stopped), waits up to `timeoutMs` for them to exit, and drops its runs from memory.
 */
export async function forgetRunsOf(conversationId: string, timeoutMs: number): Promise<void> {
  const active = activeRun(conversationId);
  const ended = active?.settled;
  if (active) {
    active.state.requestEnd('stopped');
    active.cancelWait.abort();
  }
  await killProcessesOf(conversationId, timeoutMs);
  if (ended) await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
  for (const run of runsOf(conversationId)) forget(run);
}
