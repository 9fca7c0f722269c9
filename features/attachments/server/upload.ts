import 'server-only';
import { openCountedConversation } from '@/features/conversations/server';
import { takeAttachmentBytes } from '@/features/limits/server';
import { assertDiskReserve, type Workspace } from '@/features/workspaces/server';
import { AppError } from '@/lib/errors';
import { readBytes } from '@/lib/http';
import { ATTACHMENT_NAME_HEADER } from '../attachment-name';
import { formatFileSize } from '../file-size';
import { attachmentNameSchema } from '../schemas';
import type { Attachment } from '../types';
import { classifyAttachment, tooLargeMessage, type Classified } from './classify';
import { attachmentLimits } from './limits';
import { saveAttachment } from './queries';
import { toAttachment } from './view';
import { workspaceFull, workspaceRoom, type WorkspaceRoom } from './workspace-room';

/** An upload as its request carried it, checked: the file's name, its bytes, and what they are. */
export type Upload = Classified & { name: string; bytes: Buffer };

/**
 * Reads an upload (the raw file as the body, its name in X-Attachment-Name) and decides what it is,
 * before any database trip. The body is read whole within the per-file cap first, so an upload
 * that breaks off (400) or runs over (413) is refused before anything is written.
 */
export async function readUpload(req: Request): Promise<Upload> {
  const parsed = attachmentNameSchema.safeParse(req.headers.get(ATTACHMENT_NAME_HEADER) ?? undefined);
  if (!parsed.success) throw new AppError('bad_request:attachment_name', parsed.error.issues.map((issue) => issue.message).join(' '));
  const name = parsed.data;
  const { fileBytes } = attachmentLimits();
  const bytes = await readBytes(req, { maxBytes: fileBytes, tooLarge: () => new AppError('payload_too_large:attachment', tooLargeMessage(name, fileBytes)) });
  return { name, bytes, ...classifyAttachment({ bytes, name, declaredType: req.headers.get('content-type') }) };
}

type Caller = { conversationId: string; visitorId: string; workspace: string };

/**
 * Saves an upload for the conversation's next message. `visitorId` is whose rights the caller acts
 * with (the owner's, for one of its devices). The conversation's unsent attachments are that
 * message's, so together they stay within one message's count and bytes (413 past them); the
 * workspace's attachments and files together stay within its quota (413); and the visitor's
 * uploads within their daily allowance (429). Only an upload that is saved counts toward that.
 */
export async function saveUpload({ conversationId, visitorId, workspace, upload }: Omit<Caller, 'workspace'> & { workspace: Workspace; upload: Upload }): Promise<Attachment> {
  // Attachments are kept in the database, on the data root: the same reserve as a new message.
  assertDiskReserve();
  const room = await workspaceRoom({ workspace, name: upload.name, bytes: upload.bytes.byteLength });
  const giveBack = await takeAttachmentBytes({ visitorId, bytes: upload.bytes.byteLength });
  try {
    return await save({ conversationId, visitorId, workspace: workspace.name, upload, room });
  } catch (error) {
    await giveBack();
    throw error;
  }
}

async function save({ conversationId, visitorId, workspace, upload, room }: Caller & { upload: Upload; room: WorkspaceRoom | null }): Promise<Attachment> {
  // A screenshot pasted into a new chat starts it, as the first message would; its title is left for the message to set.
  await openCountedConversation({ id: conversationId, visitorId, workspace, title: null });
  const { perMessage, messageBytes } = attachmentLimits();
  const saved = await saveAttachment({
    conversationId,
    visitorId,
    workspace,
    ...upload,
    maxUnsent: { count: perMessage, bytes: messageBytes },
    maxWorkspaceBytes: room?.maxAttachmentBytes ?? null,
  });
  if (saved.status === 'unknown') throw new AppError('not_found:conversation', 'No such conversation.');
  // Another upload to the workspace got in since workspaceRoom looked.
  if (saved.status === 'workspace_full') throw workspaceFull({ name: upload.name, bytes: upload.bytes.byteLength, room: room!, storedBytes: saved.workspaceBytes });
  if (saved.status === 'full') {
    const why =
      saved.unsentCount + 1 > perMessage
        ? `a message can carry at most ${perMessage} attachments, and this one already has ${saved.unsentCount}`
        : `a message's attachments can be at most ${formatFileSize(messageBytes)} together, and this one's already come to ${formatFileSize(saved.unsentBytes)}`;
    throw new AppError('payload_too_large:message_attachments', `"${upload.name}" was not attached: ${why}. Send the message first, or remove one.`);
  }
  return toAttachment(saved.attachment);
}
