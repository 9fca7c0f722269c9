import 'server-only';
import { formatBytes, workspaceDiskUsage, type DiskUsage, type Workspace } from '@/features/workspaces/server';
import { AppError } from '@/lib/errors';
import { workspaceAttachmentBytes } from './queries';

/** A workspace's usage of its quota, and the most its attachments may come to beside its files. */
export type WorkspaceRoom = { usage: DiskUsage; maxAttachmentBytes: number };

/**
 * Attachments count toward their workspace's disk quota: they are kept in the database, not on the
 * workspace's image, so without this a workspace's visitors could fill the server's disk through
 * them while its quota holds its files back. What they may take is what the quota leaves once the
 * image's files are counted. An upload that would not fit is refused (413) here, before anything
 * is counted or started; the save checks again, atomically, against uploads racing it. Null when
 * the workspace has no quota (quotas off).
 */
export async function workspaceRoom({ workspace, name, bytes }: { workspace: Workspace; name: string; bytes: number }): Promise<WorkspaceRoom | null> {
  const usage = workspaceDiskUsage(workspace);
  if (!usage) return null;
  const room = { usage, maxAttachmentBytes: usage.quotaBytes - usage.usedBytes };
  const storedBytes = await workspaceAttachmentBytes(workspace.name);
  if (storedBytes + bytes > room.maxAttachmentBytes) throw workspaceFull({ name, bytes, room, storedBytes });
  return room;
}

/** The refusal of an upload that doesn't fit in what the workspace's quota leaves. */
export function workspaceFull({ name, bytes, room, storedBytes }: { name: string; bytes: number; room: WorkspaceRoom; storedBytes: number }): AppError {
  const taken = formatBytes(room.usage.usedBytes + storedBytes);
  return new AppError(
    'payload_too_large:workspace_full',
    `This workspace's space is used up: its files and attachments take ${taken} of its ${formatBytes(room.usage.quotaBytes)}, so "${name}" (${formatBytes(bytes)}) doesn't fit. Delete conversations you no longer need, or some of the workspace's files, then attach it again.`,
  );
}
