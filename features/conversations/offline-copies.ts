/**
 * The installed app's offline copies: the service worker keeps the latest answer of each page
 * and of each conversation's history this browser read (`app/sw.ts`), so the app starts and
 * shows them without a network. Shared between the worker and the page, which deletes a
 * conversation's copy when the conversation is deleted.
 */
export const OFFLINE_PAGES_CACHE = 'tether-pages';
export const OFFLINE_CONVERSATIONS_CACHE = 'tether-conversations';
/** How many conversations' histories are kept (the Recent list's 10, and room for the ones opened from See all). */
export const OFFLINE_CONVERSATIONS_KEPT = 20;

/** `GET /api/conversations/:id`: a conversation's history, the only API answer kept. */
export const CONVERSATION_HISTORY_PATH = /^\/api\/conversations\/[0-9a-f-]{36}$/;

/** Forgets the offline copies of deleted conversations (all of them when `ids` is null). */
export async function forgetOfflineCopies(ids: string[] | null): Promise<void> {
  if (!('caches' in globalThis)) return;
  if (ids === null) {
    await caches.delete(OFFLINE_CONVERSATIONS_CACHE);
    return;
  }
  const cache = await caches.open(OFFLINE_CONVERSATIONS_CACHE);
  await Promise.all(ids.map((id) => cache.delete(new URL(`/api/conversations/${id}`, location.origin).href)));
}
