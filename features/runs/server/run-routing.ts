import 'server-only';
import { AppError } from '@/lib/errors';
import { redis } from '@/lib/redis';
import type { DecideApprovalInput } from '@/features/approvals';
import type { RunInfo } from '../types';
import { listenForControl } from './live-events';
import { remoteRun, type RemoteRun } from './remote-run';
import { getRun, requestRunStop } from './queries';
import type { Run } from './run';
import { stopRun } from './run-control';
import { obeyStopRequests } from './stop-requests';
import { localRun, requireRun } from './run-registry';

/**
 * The visitor's run in this workspace, wherever it runs: here, or (with Redis) on another
 * instance, mirrored from its stream. Anyone else's, an unknown id, or one whose events are gone
 * is not found.
 */
export async function findRun({ runId, visitorId, workspace }: { runId: string; visitorId: string; workspace: string }): Promise<Run | RemoteRun> {
  if (localRun(runId)) return requireRun({ runId, visitorId, workspace });
  const record = redis() ? await getRun({ runId, visitorId, workspace }) : null;
  const remote = record && (await remoteRun({ ...record, visitorId }));
  if (!remote) throw new AppError('not_found:run', 'No such run.');
  return remote;
}

/**
 * Stop, from any instance. For another instance's run it is also recorded with the run: if that
 * instance is gone, whoever takes the run over ends it stopped rather than continuing it.
 */
export async function stopAnywhere(run: Run | RemoteRun): Promise<RunInfo> {
  if (!('remote' in run)) return stopRun(run);
  await Promise.all([run.stop(), requestRunStop(run.id)]);
  return run.info();
}

/** An approval decision, from any instance. */
export async function decideAnywhere(run: Run | RemoteRun, approvalId: string, input: DecideApprovalInput): Promise<void> {
  if (!('remote' in run)) return run.approvals.decide(approvalId, input);
  await run.decide(approvalId, input);
}

/**
 * At start: Stop and decisions that viewers on other instances send for this instance's runs
 * (with Redis), and Stop recorded in the database (the operator's command line, any setup).
 */
export async function obeyOtherInstances(): Promise<void> {
  obeyStopRequests();
  await listenForControl((control) => {
    const run = localRun(control.runId);
    if (!run) return;
    if (control.type === 'stop') return void stopRun(run);
    try {
      run.approvals.decide(control.approvalId, control.input);
    } catch {
      // Decided here or elsewhere first: the first decision stands, and every viewer sees it.
    }
  });
}
