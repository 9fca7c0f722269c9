import 'server-only';
import { logger } from '@/lib/logger';
import { endTakenOverRun } from './live-events';
import { takeOverStaleRuns as claimStaleRuns } from './queries';
import { announceRunFinished } from './run-notices';

/**
 * Each heartbeat: the runs of instances that stopped beating for `staleSeconds` are interrupted,
 * each announced finished by the one instance that took it over.
 */
export async function takeOverStaleRuns(staleSeconds: number): Promise<void> {
  for (const run of await claimStaleRuns(staleSeconds)) {
    logger.warn('took over a run of an instance that stopped', { runId: run.id, conversationId: run.conversationId });
    await endTakenOverRun(run).catch((error: unknown) => logger.error('ending a taken-over run failed', { runId: run.id, error }));
    announceRunFinished({ conversationId: run.conversationId, status: 'interrupted', model: run.model, mode: run.mode, error: null, answer: '', watched: false });
  }
}
