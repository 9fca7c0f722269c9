import 'server-only';
import { serverEnv } from '@/lib/env';
import { logger } from '@/lib/logger';
import { instanceId } from './instance-id';
import { beat, leave } from './queries';

const store = globalThis as { tetherHeartbeat?: NodeJS.Timeout };

/**
 * Beats every third of TETHER_INSTANCE_STALE_SECONDS; after each beat, `afterBeat` may take
 * over the work of instances silent for that long (runs does: see runs/server/takeover.ts).
 * Resolves after the first beat, which must come before this instance starts any run.
 */
export async function startHeartbeat(afterBeat: (staleSeconds: number) => Promise<void>): Promise<void> {
  const staleSeconds = serverEnv().TETHER_INSTANCE_STALE_SECONDS;
  const beatOnce = async () => {
    await beat(instanceId());
    await afterBeat(staleSeconds);
  };
  await beatOnce();
  clearInterval(store.tetherHeartbeat);
  store.tetherHeartbeat = setInterval(() => void beatOnce().catch((error: unknown) => logger.error('heartbeat failed', { error })), (staleSeconds * 1000) / 3);
  store.tetherHeartbeat.unref();
}

/** At a clean shutdown, after this instance's runs are recorded: it is gone. */
export async function stopHeartbeat(): Promise<void> {
  clearInterval(store.tetherHeartbeat);
  await leave(instanceId());
}
