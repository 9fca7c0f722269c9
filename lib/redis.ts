import type { createClient } from 'redis';
import { serverEnv } from './env';
import { logger } from './logger';

export type Redis = ReturnType<typeof createClient>;

// Route handlers and instrumentation get separate module copies: one connection per process.
const store = globalThis as { tetherRedis?: Promise<Redis> | null };

/**
 * The shared Redis connection when REDIS_URL is set, else null (the single-instance default keeps
 * everything in process). Commands queue while it (re)connects; errors are logged, not thrown at
 * the connection, so a Redis restart costs what was sent meanwhile, not the server.
 */
export function redis(): Promise<Redis> | null {
  if (store.tetherRedis !== undefined) return store.tetherRedis;
  const url = serverEnv().REDIS_URL;
  return (store.tetherRedis = url ? connect(url) : null);
}

/** A connection of its own: blocking reads and subscriptions would hold up the shared one. */
export async function dedicatedRedis(): Promise<Redis> {
  const shared = await redis();
  if (!shared) throw new Error('REDIS_URL is not set');
  const client = shared.duplicate();
  client.on('error', (error: unknown) => logger.warn('redis connection error', { error }));
  await client.connect();
  return client;
}

export async function closeRedis(): Promise<void> {
  const open = store.tetherRedis;
  store.tetherRedis = undefined;
  if (open) await (await open).close().catch(() => {});
}

async function connect(url: string): Promise<Redis> {
  // Loaded only when REDIS_URL is set: its ~600 modules would otherwise idle in every server's heap.
  const { createClient } = await import('redis');
  const client = createClient({ url });
  client.on('error', (error: unknown) => logger.warn('redis connection error', { error }));
  await client.connect();
  return client;
}
