import 'server-only';
import { AppError } from '@/lib/errors';
import type { Attachment, ConversationAttachment } from '../types';
import { attachmentLimits } from './limits';
import { attachAttachments, copyAttachments as copyStoredAttachments, deleteAttachment, getAttachment, listAttachments, type StoredAttachment } from './queries';
import { toAttachment, toConversationAttachment } from './view';

type Caller = { conversationId: string; visitorId: string; workspace: string };

const notFound = () => new AppError('not_found:attachment', 'No such attachment.');

/**
 * One attachment of the conversation with its bytes, for whoever acts with the owner's rights
 * (`visitorId`: the owner's, for one of its devices). Anyone else gets the 404 an unknown id gets.
 */
export async function attachmentOf({ conversationId, visitorId, workspace, id }: Caller & { id: string }): Promise<StoredAttachment & { bytes: Buffer }> {
  const attachment = await getAttachment({ conversationId, visitorId, workspace, id });
  if (!attachment) throw notFound();
  return attachment;
}

/**
 * The same for a share link's viewer: only what was sent with a message, which the shared history
 * shows; an upload waiting in the owner's composer is not part of it.
 */
export async function sharedAttachment({ conversationId, ownerId, workspace, id }: { conversationId: string; ownerId: string; workspace: string; id: string }) {
  const attachment = await attachmentOf({ conversationId, visitorId: ownerId, workspace, id });
  if (attachment.runId === null) throw notFound();
  return attachment;
}

/** The conversation's attachments, oldest first, each with the run it went with (null: not sent yet). */
export async function conversationAttachments(caller: Caller): Promise<ConversationAttachment[]> {
  return (await listAttachments(caller)).map(toConversationAttachment);
}

/** Takes back an attachment not sent yet (its chip removed); one sent with a message stays with it (409). */
export async function takeBackAttachment({ conversationId, visitorId, workspace, id }: Caller & { id: string }): Promise<void> {
  const result = await deleteAttachment({ conversationId, visitorId, workspace, id });
  if (result === null) throw notFound();
  if (result === 'sent') throw new AppError('conflict:attachment_sent', 'This attachment was sent with a message and stays with it.');
}

/**
 * Sends attachments with the message whose run is `runId` (a run of the conversation, whose owner
 * the caller already acts for): all of them, in the order given, or none, with 404 when one is
 * not an unsent attachment of the conversation, nor a sent one among `again` (Retry, Edit: the
 * replaced message's, which go with the message replacing it and become its run's). Unsent
 * bytes together were kept within one message's at upload (see saveUpload), and the caller
 * counted the ones sent again with them, so only the count is checked here.
 */
export async function sendAttachments({ conversationId, runId, ids, again = [] }: { conversationId: string; runId: string; ids: string[]; again?: string[] }): Promise<Attachment[]> {
  const { perMessage } = attachmentLimits();
  if (new Set(ids).size > perMessage) throw new AppError('payload_too_large:message_attachments', `A message can carry at most ${perMessage} attachments.`);
  const attached = await attachAttachments({ conversationId, runId, ids, again });
  if (!attached) throw new AppError('not_found:attachment', 'An attachment of this message is gone or was already sent. Attach it again.');
  return attached.map(toAttachment);
}

/**
 * Branch from here: conversation `to` gets its own copies of the attachments `ids` that messages
 * of `from` carried (the ones the branch keeps), so its history shows them and they go with it.
 * Both are the caller's to act for. The copies keep their ids, which the copied history names.
 */
export async function copyAttachments({ from, to, ids }: { from: string; to: string; ids: string[] }): Promise<Attachment[]> {
  if (ids.length === 0) return [];
  return (await copyStoredAttachments({ from, to, ids })).map(toAttachment);
}
