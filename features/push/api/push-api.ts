import { requestJson as request } from '@/lib/api-client';

/**
 * The push routes, for the page and the service worker alike (plain fetch, same origin, so the
 * visitor cookie goes along).
 */

export async function fetchVapidPublicKey(): Promise<string> {
  const { publicKey } = await request<{ publicKey: string }>('/api/push/vapid-public-key');
  return publicKey;
}

export async function saveSubscription(input: { conversationId: string; subscription: PushSubscriptionJSON; showPreview: boolean }): Promise<void> {
  await request('/api/push/subscribe', { method: 'POST', body: JSON.stringify(input) });
}

export async function deleteSubscription(input: { conversationId: string; endpoint: string }): Promise<void> {
  await request('/api/push/unsubscribe', { method: 'DELETE', body: JSON.stringify(input) });
}

export async function setConversationMuted({ conversationId, muted }: { conversationId: string; muted: boolean }): Promise<boolean> {
  const body = await request<{ muted: boolean }>(`/api/conversations/${conversationId}/mute`, { method: 'PUT', body: JSON.stringify({ muted }) });
  return body.muted;
}
