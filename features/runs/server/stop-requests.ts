import 'server-only';
import { instanceId } from '@/features/cluster/server';
import { logger } from '@/lib/logger';
import { publishControl } from './live-events';
import { requestRunStop, stopRequests, type OperatorRun } from './queries';
import { stopRun } from './run-control';
import { activeRuns, localRun } from './run-registry';

/**
 * Stop through the database: a Stop recorded with the run (request_run_stop) reaches the instance
 * running it without Redis and without HTTP, so the operator's command line, which holds neither
 * a visitor cookie nor the server's secrets, can stop a run on any instance. The owner asks for
 * such requests while it has runs going; with Redis the request is also published on the owner's
 * control channel and arrives at once. A run whose owner is gone ends stopped when it is taken over.
 */

/** How often an instance with runs going asks the database for Stop requests. */
const POLL_MS = 1000;

const store = globalThis as { tetherStopRequestPoll?: NodeJS.Timeout };

/** At start: this instance stops its runs that were asked to stop through the database. */
export function obeyStopRequests(): void {
  if (store.tetherStopRequestPoll) return;
  let asking = false;
  store.tetherStopRequestPoll = setInterval(() => {
    // Only while runs are going here, and one question at a time: an idle instance costs the database nothing.
    if (asking || activeRuns().length === 0) return;
    asking = true;
    void stopRequests(instanceId())
      .then((ids) => Promise.all(ids.map((id) => stopLocal(id))))
      .catch((error: unknown) => logger.warn('reading stop requests failed', { error }))
      .finally(() => (asking = false));
  }, POLL_MS);
  store.tetherStopRequestPoll.unref();
}

async function stopLocal(runId: string): Promise<void> {
  const run = localRun(runId);
  if (!run) return;
  logger.info('stopping a run as requested through the database', { runId });
  await stopRun(run);
}

/**
 * Asks the run's owner, wherever it is, to stop it: recorded with the run, and published to the
 * owner with Redis. False when it is not running any more.
 */
export async function requestStop(run: Pick<OperatorRun, 'id' | 'owner'>): Promise<boolean> {
  const requested = await requestRunStop(run.id);
  if (requested && run.owner) await publishControl(run.owner, { type: 'stop', runId: run.id });
  return requested;
}
