/**
 * The installed app's offline copies: the service worker keeps the latest answer of each page
 * and of each conversation's history this browser read (`app/sw.ts`), so the app starts and
 * shows them without a network. Shared between the worker and the page, which saves the copies of
 * a load the worker did not control and deletes a conversation's copy with the conversation.
 */
export const OFFLINE_PAGES_CACHE = 'tether-pages';
export const OFFLINE_CONVERSATIONS_CACHE = 'tether-conversations';
/** How many conversations' histories are kept (the Recent list's 10, and room for the ones opened from See all). */
export const OFFLINE_CONVERSATIONS_KEPT = 20;

/** `GET /api/conversations/:id`: a conversation's history, kept from the network's latest answer. */
export const CONVERSATION_HISTORY_PATH = /^\/api\/conversations\/[0-9a-f-]{36}$/;

/** Its attachments, which never change (ids are not reused): kept as first read, for its thumbnails offline. */
export const OFFLINE_ATTACHMENTS_CACHE = 'tether-attachments';
export const CONVERSATION_ATTACHMENT_PATH = /^\/api\/conversations\/[0-9a-f-]{36}\/attachments\/[0-9a-f-]{36}$/;
/** Enough for the kept conversations' pictures; the oldest read go first. */
export const OFFLINE_ATTACHMENTS_KEPT = 200;

/** Marks the history fetch made only to be saved for offline (not to be shown): what a page's loads are counted without. */
export const OFFLINE_COPY_HEADER = 'x-tether-offline-copy';

/**
 * Saves this page and a conversation's history as the worker keeps them. The page goes straight
 * into the pages cache (a request made here is no navigation, which the worker's pages route
 * matches); the history is asked through the worker, whose route keeps it within its count.
 * Nothing while no worker controls the page.
 */
export async function saveOfflineCopies({ page, conversationId }: { page: boolean; conversationId: string | null }): Promise<void> {
  if (!('caches' in globalThis) || !navigator.serviceWorker?.controller) return;
  const url = new URL(location.href);
  url.hash = '';
  await Promise.all([
    page ? caches.open(OFFLINE_PAGES_CACHE).then((pages) => pages.add(url.href)) : null,
    conversationId ? fetch(`/api/conversations/${conversationId}`, { cache: 'no-store', headers: { [OFFLINE_COPY_HEADER]: '1' } }) : null,
  ]);
}

/** Forgets the offline copies of deleted conversations and of their attachments (all of them when `ids` is null). */
export async function forgetOfflineCopies(ids: string[] | null): Promise<void> {
  if (!('caches' in globalThis)) return;
  if (ids === null) {
    await Promise.all([caches.delete(OFFLINE_CONVERSATIONS_CACHE), caches.delete(OFFLINE_ATTACHMENTS_CACHE)]);
    return;
  }
  const [histories, attachments] = await Promise.all([caches.open(OFFLINE_CONVERSATIONS_CACHE), caches.open(OFFLINE_ATTACHMENTS_CACHE)]);
  const prefixes = ids.map((id) => new URL(`/api/conversations/${id}/attachments/`, location.origin).href);
  const gone = (await attachments.keys()).filter((request) => prefixes.some((prefix) => request.url.startsWith(prefix)));
  await Promise.all([...ids.map((id) => histories.delete(new URL(`/api/conversations/${id}`, location.origin).href)), ...gone.map((request) => attachments.delete(request))]);
}
