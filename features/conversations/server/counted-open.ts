import 'server-only';
import { conversationsFull, takeConversation } from '@/features/limits/server';
import { AppError } from '@/lib/errors';
import { getConversation, openConversation } from './queries';

/**
 * The visitor's conversation, opened for a message or for the first message's attachment, and
 * started by it when new, as the per-day limit counts: a visitor at today's cap may go on in one
 * that exists, not start another, and one this call started counts. Someone else's is a 404.
 * `title` is kept only when it starts the conversation.
 */
export async function openCountedConversation({ id, visitorId, workspace, title }: { id: string; visitorId: string; workspace: string; title: string | null }) {
  // At the cap, a new one is refused with the limit's own message before anything is written.
  if ((await conversationsFull(visitorId)) && !(await getConversation({ id, visitorId, workspace }))) await takeConversation(visitorId);
  const conversation = await openConversation({ id, visitorId, workspace, title });
  if (!conversation) throw new AppError('not_found:conversation', 'No such conversation.');
  // Created by this call: both times are the same transaction's now(), and no session yet.
  if (conversation.createdAt === conversation.lastActivityAt && !conversation.sdkSessionId) await takeConversation(visitorId);
  return conversation;
}
