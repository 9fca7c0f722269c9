import 'server-only';
import { logger } from '@/lib/logger';
import type { RunEvent, RunInfo } from '../types';
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
  run.approvals.settleAll('stop'); // a turn waiting for the visitor's approval can end now
  await run.process?.query.interrupt().catch((error: unknown) => logger.warn('interrupt failed', { runId: run.id, error }));
}

/**
 * At shutdown: interrupts every run in progress and waits (up to `timeoutMs`) for each to be
 * recorded as interrupted, so the next start finds them finished and the conversation carries on.
 */
export async function interruptAllRuns(timeoutMs: number): Promise<void> {
  const active = activeRuns();
  const ended = active.map((run) => {
    run.state.requestEnd('interrupted');
    return untilEnd(run);
  });
  await Promise.all(active.map((run) => interrupt(run)));
  await Promise.race([Promise.all(ended), new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
  closeAllProcesses();
}

/**
 * Makes this process forget a conversation that was deleted: kills its agent processes (a run in
 * progress ends stopped), waits up to `timeoutMs` for them to exit, and drops its runs from memory.
 */
export async function forgetRunsOf(conversationId: string, timeoutMs: number): Promise<void> {
  const active = activeRun(conversationId);
  const ended = active && untilEnd(active);
  if (active) {
    active.state.requestEnd('stopped');
    active.cancelWait.abort();
  }
  await killProcessesOf(conversationId, timeoutMs);
  if (ended) await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
  for (const run of runsOf(conversationId)) forget(run);
}

function untilEnd(run: Run): Promise<void> {
  return new Promise<void>((resolve) => run.subscribe(run.events.length, (event: RunEvent) => event.type === 'end' && resolve()));
}
