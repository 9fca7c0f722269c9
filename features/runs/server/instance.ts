import 'server-only';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dataDir, dataPath } from '@/lib/data-dir';
import { serverEnv } from '@/lib/env';
import { logger } from '@/lib/logger';
import { beatAndTakeOverStaleRuns, leaveInstances } from './queries';
import { announceRunFinished } from './run-notices';

const store = globalThis as { tetherInstanceId?: string; tetherHeartbeat?: NodeJS.Timeout };

/**
 * This instance's id: which runs are its own. Kept in its data folder, so a restart is the same
 * instance (and interrupts what its earlier self left running), while another instance with a
 * folder of its own is another.
 */
export function instanceId(): string {
  if (store.tetherInstanceId) return store.tetherInstanceId;
  const file = dataPath('instance-id');
  if (!existsSync(file)) {
    dataDir();
    writeFileSync(file, `${randomUUID()}\n`, { flag: 'wx' });
  }
  return (store.tetherInstanceId = readFileSync(file, 'utf8').trim());
}

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
