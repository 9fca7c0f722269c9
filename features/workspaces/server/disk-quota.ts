import 'server-only';
import { existsSync, statfsSync, statSync } from 'node:fs';
import path from 'node:path';
import { serverEnv } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { logger } from '@/lib/logger';
import type { WorkspaceConfig } from '../schemas';
import { IMAGE_NAME, imageSupport, lastLine, mountImage } from './disk-image';

/**
 * Each workspace's disk quota (README, "Disk quota and reserve"): TETHER_WORKSPACE_QUOTA_MB, or
 * `quotaMb` in its workspace.json. Its files live on an image of that size; without root or loop
 * devices the server warns once and workspaces go without a quota.
 */

const MB = 1024 * 1024;
const GB = 1024 * MB;
// A little room is left once the big write fails (a few blocks): near enough counts as full.
const FULL_MARGIN_BYTES = MB;

// Per workspace root: the quota last applied (so each is applied once) and the image's size.
type State = { applied: Map<string, { wanted: number; size: number }>; warned: boolean };
const store = globalThis as { tetherDiskQuota?: State };
const state = (store.tetherDiskQuota ??= { applied: new Map(), warned: false });

function wantedBytes(config: WorkspaceConfig): number | null {
  const serverMb = serverEnv().TETHER_WORKSPACE_QUOTA_MB;
  return serverMb === 0 ? null : (config.quotaMb ?? serverMb) * MB;
}

/**
 * Puts a workspace's files under its quota before anything reads or writes them: mounts its image
 * (making it, with the files already there, the first time; growing it when the quota grew).
 * Once per workspace and process, then remembered. Returns the image's size, or undefined when
 * the workspace has no quota.
 */
export function applyDiskQuota({ root, config }: { root: string; config: WorkspaceConfig }): number | undefined {
  const wanted = wantedBytes(config);
  const known = state.applied.get(root);
  if (known && (wanted === null || known.wanted >= wanted) && stillMounted(root)) return known.size;
  const hasImage = existsSync(path.join(root, IMAGE_NAME));
  if (wanted === null && !hasImage) return undefined;
  const support = imageSupport();
  // Mounting an image takes root: a workspace already on one can't be shown without it.
  if (wanted === null) throw unmountable(root, 'TETHER_WORKSPACE_QUOTA_MB is 0, so the server mounts no images');
  if (!support.supported) {
    if (hasImage) throw unmountable(root, support.reason);
    if (!state.warned)
      logger.warn('Workspace disk quotas are off: this server may not loop-mount images (run it as root with loop devices, or set TETHER_WORKSPACE_QUOTA_MB=0).', { reason: support.reason });
    state.warned = true;
    return undefined;
  }
  try {
    const steps = mountImage({ root, sizeBytes: wanted });
    if (steps.length > 0) logger.info('workspace disk image', { workspace: path.basename(root), steps, quotaMb: wanted / MB });
    if (steps.includes('grow_deferred')) {
      logger.warn('A workspace quota grew, but its image can only grow at its next mount: resizing a mounted filesystem needs CAP_SYS_RESOURCE.', { workspace: path.basename(root) });
    }
  } catch (error) {
    throw unmountable(root, lastLine(error));
  }
  const size = statSync(path.join(root, IMAGE_NAME)).size;
  state.applied.set(root, { wanted, size });
  return size;
}

/**
 * A mount point sits on another device than its parent. Checked on every lookup (two stat calls):
 * should someone unmount an image under a running server, its agents must not go on writing into
 * the bare folder beneath, on the host's disk — the next lookup mounts it again.
 */
function stillMounted(root: string): boolean {
  return statSync(path.join(root, 'files')).dev !== statSync(root).dev;
}

function unmountable(root: string, reason: string): AppError {
  logger.error('workspace disk image could not be mounted', { workspace: path.basename(root), reason });
  return new AppError('unavailable:workspace_disk', "This workspace's files can't be opened right now. Try again later.", { retryAfterSeconds: 60 });
}

/** What a workspace's files take of its quota, in bytes. */
export type DiskUsage = { quotaBytes: number; usedBytes: number };

/**
 * How much of its image a workspace with a quota uses, or null when it has none (quotas off).
 * Used is the image's size less what is free on it, so the filesystem's own bookkeeping counts:
 * the files can never take more than the quota.
 */
export function workspaceDiskUsage(workspace: { filesDir: string; diskQuotaBytes?: number }): DiskUsage | null {
  const quotaBytes = workspace.diskQuotaBytes;
  if (quotaBytes === undefined) return null;
  const { bavail, bsize } = statfsSync(workspace.filesDir);
  return { quotaBytes, usedBytes: Math.max(0, quotaBytes - bavail * bsize) };
}

/**
 * "The workspace is full (64 MB of 64 MB) …" when a workspace with a quota has (nearly) no room
 * left, else null.
 */
export function workspaceFullNotice(workspace: { filesDir: string; diskQuotaBytes?: number }): string | null {
  let usage: DiskUsage | null;
  try {
    usage = workspaceDiskUsage(workspace);
  } catch {
    return null; // a notice is a courtesy: never fail a run's end over it
  }
  if (!usage) return null;
  const { quotaBytes: total, usedBytes: used } = usage;
  if (total - used > Math.max(FULL_MARGIN_BYTES, total / 100)) return null;
  return `The workspace is full (${formatBytes(used)} of ${formatBytes(total)}): writes fail until some files are deleted.`;
}

/** 1.0 GB, 64 MB, 3.5 MB, 12 KB — binary units with the names people read them by. */
export function formatBytes(bytes: number): string {
  if (bytes >= GB) return `${(bytes / GB).toFixed(1)} GB`;
  if (bytes >= 10 * MB) return `${Math.round(bytes / MB)} MB`;
  if (bytes >= MB) return `${(bytes / MB).toFixed(1)} MB`;
  return `${Math.round(bytes / 1024)} KB`;
}
