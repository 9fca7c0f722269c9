import 'server-only';
import { serverEnv } from '@/lib/env';
import { logger } from '@/lib/logger';
import { instanceId } from './instance-id';
import { endTakenOverRun } from './live-events';
import { beatAndTakeOverStaleRuns, leaveInstances } from './queries';
import { announceRunFinished } from './run-notices';

const store = globalThis as { tetherHeartbeat?: NodeJS.Timeout };

/**
 * Beats every third of TETHER_INSTANCE_STALE_SECONDS, and each time interrupts the runs of
 * instances that stopped beating for that long: each such run is announced finished
 * (interrupted) by the one instance that took it over. Resolves after the first beat, which
 * must come before this instance starts any run.
 */
export async function startHeartbeat(): Promise<void> {
  const staleSeconds = serverEnv().TETHER_INSTANCE_STALE_SECONDS;
  const beat = async () => {
    const taken = await beatAndTakeOverStaleRuns(instanceId(), staleSeconds);
    for (const run of taken) {
      logger.warn('took over a run of an instance that stopped', { runId: run.id, conversationId: run.conversationId });
      await endTakenOverRun(run).catch((error: unknown) => logger.error('ending a taken-over run failed', { runId: run.id, error }));
      announceRunFinished({ conversationId: run.conversationId, status: 'interrupted', model: run.model, mode: run.mode, error: null, answer: '', watched: false });
    }
  };
  await beat();
  clearInterval(store.tetherHeartbeat);
  store.tetherHeartbeat = setInterval(() => void beat().catch((error: unknown) => logger.error('heartbeat failed', { error })), (staleSeconds * 1000) / 3);
  store.tetherHeartbeat.unref();
}

/** At a clean shutdown, after this instance's runs are recorded: it is gone. */
export async function stopHeartbeat(): Promise<void> {
  clearInterval(store.tetherHeartbeat);
  await leaveInstances(instanceId());
}
