/**
 * What the page and the service worker both need to know about push, kept in Cache Storage
 * (the one store both can reach; the worker has no localStorage):
 * - the browser's subscription and the conversations it was sent for, so the worker can
 *   subscribe again and re-send it on `pushsubscriptionchange`, and the page can tell on load
 *   whether it changed;
 * - the conversation a tapped notification asked for, because iOS may open the home-screen app
 *   at its start URL instead of the notification's URL: the app looks here when it starts.
 */

export type PushState = {
  /** The VAPID public key (base64url) the subscription was made with. */
  applicationServerKey: string;
  subscription: PushSubscriptionJSON | null;
  /** Conversations this browser asked to be notified about, most recent first. */
  conversations: string[];
  showPreview: boolean;
};

/** Enough for a day of conversations; the server forgets older ones with their conversation anyway. */
export const MAX_FOLLOWED = 20;
/** A tap older than this is not acted on when the app starts. */
export const PENDING_OPEN_MAX_AGE_MS = 10 * 60_000;

const CACHE = 'tether-push';
const STATE_KEY = '/__tether/push-state';
const PENDING_OPEN_KEY = '/__tether/pending-open';

async function read<T>(key: string): Promise<T | null> {
  try {
    const response = await (await caches.open(CACHE)).match(key);
    return response ? ((await response.json()) as T) : null;
  } catch {
    return null;
  }
}

async function write(key: string, value: unknown): Promise<void> {
  await (await caches.open(CACHE)).put(key, new Response(JSON.stringify(value), { headers: { 'content-type': 'application/json' } }));
}

async function remove(key: string): Promise<void> {
  await (await caches.open(CACHE)).delete(key);
}

export async function readPushState(): Promise<PushState | null> {
  const state = await read<PushState>(STATE_KEY);
  return state && Array.isArray(state.conversations) && typeof state.applicationServerKey === 'string' ? state : null;
}

export function writePushState(state: PushState): Promise<void> {
  return write(STATE_KEY, { ...state, conversations: state.conversations.slice(0, MAX_FOLLOWED) });
}

export async function setPendingOpen(conversationId: string, at = Date.now()): Promise<void> {
  await write(PENDING_OPEN_KEY, { conversationId, at });
}

/** The conversation a recent notification tap asked for, if any; it is cleared as it is read. */
export async function takePendingOpen(now = Date.now()): Promise<string | null> {
  const pending = await read<{ conversationId: string; at: number }>(PENDING_OPEN_KEY);
  if (!pending) return null;
  await remove(PENDING_OPEN_KEY);
  return typeof pending.conversationId === 'string' && now - pending.at <= PENDING_OPEN_MAX_AGE_MS ? pending.conversationId : null;
}

export function clearPendingOpen(): Promise<void> {
  return remove(PENDING_OPEN_KEY);
}

/** Same endpoint and keys: nothing to tell the server. */
export function sameSubscription(a: PushSubscriptionJSON | null, b: PushSubscriptionJSON | null): boolean {
  return a?.endpoint === b?.endpoint && a?.keys?.p256dh === b?.keys?.p256dh && a?.keys?.auth === b?.keys?.auth;
}
