/// <reference lib="webworker" />
import { isApiError } from '@/lib/api-client';
import { deleteSubscription, saveSubscription } from '../api/push-api';
import { base64UrlToBytes, NOTIFICATION_BADGE, NOTIFICATION_ICON, OPEN_CONVERSATION, type OpenConversationMessage, type PushPayload } from '../shared/messages';
import { readPushState, setPendingOpen, writePushState } from '../shared/push-state';

/** Not in TypeScript's lib yet: the event carries the old and (maybe) the new subscription. */
type PushSubscriptionChangeEvent = ExtendableEvent & { oldSubscription?: PushSubscription | null; newSubscription?: PushSubscription | null };
/** `renotify` (alert again when a notification replaces one with the same tag) is missing from the lib's options. */
type ShowOptions = NotificationOptions & { renotify?: boolean };

/**
 * Push, tap and subscription change, for the app's service worker. Every push shows a
 * notification, whatever it holds: iOS revokes the subscription of a worker that doesn't.
 * Whether a push is worth sending at all (muted, someone watching) is the server's decision.
 */
export function registerPushHandlers(sw: ServiceWorkerGlobalScope): void {
  sw.addEventListener('push', (event) => {
    event.waitUntil(showPush(sw, event.data));
  });
  sw.addEventListener('notificationclick', (event) => {
    event.notification.close();
    event.waitUntil(openFromNotification(sw, event.notification.data));
  });
  sw.addEventListener('pushsubscriptionchange', (event) => {
    (event as PushSubscriptionChangeEvent).waitUntil(resubscribe(sw, event as PushSubscriptionChangeEvent));
  });
}

const FALLBACK: PushPayload = { title: 'Tether', body: 'The agent has finished.', data: { conversationId: '', url: '/' } };

function readJson(data: PushMessageData | null): unknown {
  try {
    return data?.json();
  } catch {
    // Not JSON: shown with the fallback wording, never dropped.
    return null;
  }
}

/** Whatever arrived, as a payload that can be shown: missing parts get neutral defaults. */
export function toPayload(raw: unknown): PushPayload {
  const value = typeof raw === 'object' && raw !== null ? (raw as Partial<PushPayload>) : null;
  const conversationId = typeof value?.data?.conversationId === 'string' ? value.data.conversationId : '';
  const url = typeof value?.data?.url === 'string' ? value.data.url : conversationId ? `/?c=${conversationId}` : '/';
  return {
    title: typeof value?.title === 'string' && value.title ? value.title : FALLBACK.title,
    body: typeof value?.body === 'string' ? value.body : FALLBACK.body,
    data: { conversationId, url },
  };
}

async function showPush(sw: ServiceWorkerGlobalScope, data: PushMessageData | null): Promise<void> {
  const payload = toPayload(readJson(data));
  const options: ShowOptions = { body: payload.body, data: payload.data, icon: NOTIFICATION_ICON, badge: NOTIFICATION_BADGE };
  // One notification per conversation: a newer one replaces the older, and alerts again.
  if (payload.data.conversationId) Object.assign(options, { tag: `conversation-${payload.data.conversationId}`, renotify: true });
  await sw.registration.showNotification(payload.title, options);
}

async function openFromNotification(sw: ServiceWorkerGlobalScope, data: unknown): Promise<void> {
  const { conversationId, url } = toPayload({ data }).data;
  // Only ever a page of this app (this workspace's origin).
  const target = new URL(url, sw.location.origin);
  const href = target.origin === sw.location.origin ? target.href : new URL('/', sw.location.origin).href;
  // Also left where the app looks when it starts: iOS may open the app at its start URL.
  if (conversationId) await setPendingOpen(conversationId).catch(() => {});

  const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const client = windows.find((candidate) => candidate.focused) ?? windows.find((candidate) => candidate.visibilityState === 'visible') ?? windows[0];
  if (client) {
    const focused = await client.focus().catch(() => client);
    if (conversationId) (focused ?? client).postMessage({ type: OPEN_CONVERSATION, conversationId } satisfies OpenConversationMessage);
    return;
  }
  await sw.clients.openWindow(href);
}

/**
 * The push service replaced the subscription (expiry, key rotation): subscribe again with the
 * same key and tell the server, for every conversation this browser follows.
 */
async function resubscribe(sw: ServiceWorkerGlobalScope, event: PushSubscriptionChangeEvent): Promise<void> {
  const state = await readPushState();
  if (!state || state.conversations.length === 0) return;
  const subscription = event.newSubscription ?? (await sw.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlToBytes(state.applicationServerKey) }));
  const json = subscription.toJSON();
  const oldEndpoint = event.oldSubscription?.endpoint ?? state.subscription?.endpoint;
  const kept: string[] = [];
  for (const conversationId of state.conversations) {
    try {
      await saveSubscription({ conversationId, subscription: json, showPreview: state.showPreview });
      kept.push(conversationId);
    } catch (error) {
      // A conversation the server no longer has is dropped; anything else is tried again on the next load.
      if (!isApiError(error, 'not_found:conversation')) kept.push(conversationId);
    }
    if (oldEndpoint && oldEndpoint !== json.endpoint) await deleteSubscription({ conversationId, endpoint: oldEndpoint }).catch(() => {});
  }
  await writePushState({ ...state, subscription: json, conversations: kept });
}
