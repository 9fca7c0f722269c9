import 'server-only';
import { logger } from '@/lib/logger';
import { deleteConversations } from './queries';

/** `workspace`: the deleted conversation's, for a listener whose part is kept per workspace. */
type Listener = (conversationId: string, context: { workspace: string }) => Promise<void>;

// Route handlers and the server's start get separate module copies: the listeners live on globalThis.
const store = globalThis as { tetherConversationDeleted?: Set<Listener> };
const listeners = (store.tetherConversationDeleted ??= new Set());

/**
 * Another feature's part of a deleted conversation: runs stop and drop theirs, agents remove the
 * transcript, changes drop its runs' snapshots. (Rows of other features go with the record: the schema cascades.) A listener owns
 * its errors; one that throws is logged and the others still run.
 */
export function onConversationDeleted(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Deletes the visitor's conversations in a workspace (`ids`, or all of them when null) for good:
 * the records first, so they answer 404 at once, then each listener's part. Returns the ids deleted.
 */
export async function deleteConversationsForGood({ visitorId, workspace, ids }: { visitorId: string; workspace: string; ids: string[] | null }): Promise<string[]> {
  const deleted = await deleteConversations({ visitorId, workspace, ids });
  for (const conversationId of deleted) {
    for (const listener of listeners) {
      await listener(conversationId, { workspace }).catch((error: unknown) => logger.error('cleaning up after a deleted conversation failed', { conversationId, error }));
    }
  }
  return deleted;
}
