import 'server-only';
import { instanceId } from '@/features/cluster/server';
import { serverEnv } from '@/lib/env';
import { takeOnOrphanedRuns } from './continuation';
import { claimOrphanedRuns } from './queries';

/**
 * At start: the runs an earlier process of this instance left running (a crash, or a drain's
 * deadline). Continued here, up to TETHER_CONTINUE_ATTEMPTS times each; the rest end.
 */
export async function takeOnOwnRuns(): Promise<number> {
  const runs = await claimOrphanedRuns({ owner: instanceId(), own: true, staleSeconds: 0, maxContinuations: serverEnv().TETHER_CONTINUE_ATTEMPTS });
  await takeOnOrphanedRuns(runs);
  return runs.length;
}

/**
 * Each heartbeat: the runs of instances that stopped beating for `staleSeconds` (or left), each
 * claimed by one live instance, which continues it. Another instance can resume the agent's
 * session only when transcripts are in the database; with them on each instance's disk, those
 * runs end as before.
 */
export async function takeOverStaleRuns(staleSeconds: number): Promise<void> {
  const env = serverEnv();
  const maxContinuations = env.transcripts === 'database' ? env.TETHER_CONTINUE_ATTEMPTS : 0;
  await takeOnOrphanedRuns(await claimOrphanedRuns({ owner: instanceId(), own: false, staleSeconds, maxContinuations }));
}
