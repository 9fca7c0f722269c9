import 'server-only';
import { takeLinkMade } from '@/features/limits/server';
import { AppError } from '@/lib/errors';
import { db } from '@/lib/db/connection';
import { hashToken, newSecretToken } from '@/lib/secret-token';
import { requireDevice } from './devices';

type Caller = { visitorId: string; workspace: string; conversationId: string };

/** "Share read-only": a new link (the old one, if any, stops working); the token travels in the URL fragment. */
export async function shareConversation({ visitorId, workspace, conversationId, origin }: Caller & { origin: string }): Promise<{ url: string }> {
  await takeLinkMade(visitorId);
  await requireDevice({ visitorId, workspace, conversationId });
  const token = newSecretToken();
  await (await db()).call('share_conversation', { p_conversation_id: conversationId, p_token_hash: hashToken(token) });
  return { url: `${origin}/shared#share=${token}` };
}

/** Turns the link off: it stops working at once, for live viewers too. */
export async function stopSharing({ visitorId, workspace, conversationId }: Caller): Promise<void> {
  await requireDevice({ visitorId, workspace, conversationId });
  await (await db()).call('stop_sharing', { p_conversation_id: conversationId });
}

export async function isShared({ visitorId, workspace, conversationId }: Caller): Promise<boolean> {
  await requireDevice({ visitorId, workspace, conversationId });
  return (await db()).call<boolean>('is_shared', { p_conversation_id: conversationId });
}

/** What a share token opens: the conversation and its owner (whose rights reading it needs), or 404. */
export async function openShare({ token, workspace }: { token: string; workspace: string }): Promise<{ conversationId: string; ownerId: string }> {
  const shared = /^[\w-]{43}$/.test(token)
    ? await (await db()).call<{ conversationId: string; ownerId: string } | null>('shared_conversation', { p_token_hash: hashToken(token), p_workspace: workspace })
    : null;
  if (!shared) throw new AppError('not_found:share', 'This share link is not valid: it was turned off, or its conversation is gone.');
  return shared;
}
