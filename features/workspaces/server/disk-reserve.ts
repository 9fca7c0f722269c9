import 'server-only';
import { existsSync, statfsSync } from 'node:fs';
import { serverEnv } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { logger } from '@/lib/logger';
import { formatBytes } from './disk-quota';

/**
 * The free space the server keeps (TETHER_DISK_RESERVE_MB) on the data root's filesystem — and
 * on the workspaces', when they live elsewhere — so that runs filling workspaces stop before the
 * database, the transcripts and the logs run out. Below it new messages are refused (503); reads
 * need no space and go on.
 */

const RETRY_AFTER_SECONDS = 300;
const WARN_EVERY_MS = 60_000;
const store = globalThis as { tetherReserveWarnedAt?: number };

/** Throws `unavailable:disk_full` when a filesystem the server writes to has less free than the reserve. */
export function assertDiskReserve(): void {
  const env = serverEnv();
  const reserve = env.TETHER_DISK_RESERVE_MB * 1024 * 1024;
  if (reserve === 0) return;
  for (const dir of new Set([env.dataDir, env.workspacesDir])) {
    if (!existsSync(dir)) continue;
    const { bavail, bsize } = statfsSync(dir);
    const free = bavail * bsize;
    if (free >= reserve) continue;
    if (Date.now() - (store.tetherReserveWarnedAt ?? 0) > WARN_EVERY_MS) {
      store.tetherReserveWarnedAt = Date.now();
      logger.warn('Low on disk space: new messages are refused until more is free.', { dir, free: formatBytes(free), reserve: formatBytes(reserve) });
    }
    throw new AppError('unavailable:disk_full', 'The server is low on disk space, so it is not taking new messages for now. Your conversations and files can still be read; please try again later.', {
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    });
  }
}
