import 'server-only';
import { db } from '@/lib/db/connection';

/** An attachment's record (supabase/migrations/…_attachments.sql), without its bytes. */
export type StoredAttachment = {
  id: string;
  conversationId: string;
  runId: string | null;
  name: string;
  mediaType: string;
  size: number;
  width: number | null;
  height: number | null;
  createdAt: string;
};

type Owner = { conversationId: string; visitorId: string; workspace: string };

export type SaveResult =
  { status: 'saved'; attachment: StoredAttachment } | { status: 'unknown' } | { status: 'full'; unsentCount: number; unsentBytes: number } | { status: 'workspace_full'; workspaceBytes: number };

/**
 * Saves a file to the owner's live conversation ('unknown' when it isn't theirs), unless the
 * conversation's unsent attachments with it would pass `maxUnsent` ('full'), or the workspace's
 * attachments with it would pass `maxWorkspaceBytes` ('workspace_full'; null: no such cap).
 */
export async function saveAttachment({
  conversationId,
  visitorId,
  workspace,
  name,
  mediaType,
  bytes,
  width,
  height,
  maxUnsent,
  maxWorkspaceBytes,
}: Owner & {
  name: string;
  mediaType: string;
  bytes: Buffer;
  width: number | null;
  height: number | null;
  maxUnsent: { count: number; bytes: number };
  maxWorkspaceBytes: number | null;
}): Promise<SaveResult> {
  return (await db()).call<SaveResult>('save_attachment', {
    p_conversation_id: conversationId,
    p_visitor_id: visitorId,
    p_workspace: workspace,
    p_name: name,
    p_media_type: mediaType,
    // base64: the one encoding all three transports carry alike (PostgREST takes JSON only).
    p_data: bytes.toString('base64'),
    p_width: width,
    p_height: height,
    p_max_unsent_count: maxUnsent.count,
    p_max_unsent_bytes: maxUnsent.bytes,
    p_max_workspace_bytes: maxWorkspaceBytes,
  });
}

/** The bytes of every attachment the workspace's conversations hold. */
export async function workspaceAttachmentBytes(workspace: string): Promise<number> {
  return (await db()).call<number>('workspace_attachment_bytes', { p_workspace: workspace });
}

/** One attachment of the owner's live conversation with its bytes, or null. */
export async function getAttachment({ conversationId, visitorId, workspace, id }: Owner & { id: string }): Promise<(StoredAttachment & { bytes: Buffer }) | null> {
  const found = await (
    await db()
  ).call<(StoredAttachment & { data: string }) | null>('get_attachment', { p_conversation_id: conversationId, p_id: id, p_visitor_id: visitorId, p_workspace: workspace });
  if (!found) return null;
  const { data, ...attachment } = found;
  return { ...attachment, bytes: Buffer.from(data, 'base64') };
}

/** The conversation's attachments, oldest first ([] when it is not the owner's). */
export async function listAttachments({ conversationId, visitorId, workspace }: Owner): Promise<StoredAttachment[]> {
  return (await db()).call<StoredAttachment[]>('list_attachments', { p_conversation_id: conversationId, p_visitor_id: visitorId, p_workspace: workspace });
}

/**
 * Gives every one of `ids` (unsent attachments of the conversation, or sent ones among `again`)
 * the run; null, and none changes, otherwise.
 */
export async function attachAttachments({ conversationId, runId, ids, again }: { conversationId: string; runId: string; ids: string[]; again: string[] }): Promise<StoredAttachment[] | null> {
  return (await db()).call<StoredAttachment[] | null>('attach_attachments', { p_conversation_id: conversationId, p_run_id: runId, p_ids: ids, p_again: again });
}

/** Copies the sent attachments `ids` of conversation `from` into `to`, bytes and all, with the same ids; the copies made. */
export async function copyAttachments({ from, to, ids }: { from: string; to: string; ids: string[] }): Promise<StoredAttachment[]> {
  return (await db()).call<StoredAttachment[]>('copy_attachments', { p_from: from, p_to: to, p_ids: ids });
}

/** Deletes an unsent attachment: 'deleted', 'sent' (it stays with its message), or null for none. */
export async function deleteAttachment({ conversationId, visitorId, workspace, id }: Owner & { id: string }): Promise<'deleted' | 'sent' | null> {
  return (await db()).call<'deleted' | 'sent' | null>('delete_attachment', { p_conversation_id: conversationId, p_id: id, p_visitor_id: visitorId, p_workspace: workspace });
}
