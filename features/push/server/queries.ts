import 'server-only';
import { db } from '@/lib/db/connection';

type Owner = { conversationId: string; visitorId: string; workspace: string };

export type PushTarget = { endpoint: string; p256dh: string; auth: string; showPreview: boolean };
export type PushTargets = { muted: boolean; subscriptions: PushTarget[] };

/** Stores or refreshes the device's subscription; false when the conversation is not the visitor's. */
/** `device`: the subscribing browser's own visitor id (revoking that device removes its subscriptions). */
export async function upsertSubscription({ conversationId, visitorId, device, workspace, endpoint, p256dh, auth, showPreview }: Owner & PushTarget & { device: string }) {
  return (await db()).call<boolean>('subscribe_push', {
    p_conversation_id: conversationId,
    p_visitor_id: visitorId,
    p_workspace: workspace,
    p_endpoint: endpoint,
    p_public_key: p256dh,
    p_auth_secret: auth,
    p_show_preview: showPreview,
    p_device_visitor_id: device,
  });
}

/** null when the conversation is not the visitor's; else whether a subscription was removed. */
export async function removeSubscription({ conversationId, visitorId, workspace, endpoint }: Owner & { endpoint: string }) {
  return (await db()).call<boolean | null>('unsubscribe_push', {
    p_conversation_id: conversationId,
    p_visitor_id: visitorId,
    p_workspace: workspace,
    p_endpoint: endpoint,
  });
}

/** The stored value, or null when the conversation is not the visitor's. */
export async function storeMuted({ conversationId, visitorId, workspace, muted }: Owner & { muted: boolean }) {
  return (await db()).call<boolean | null>('set_muted', { p_id: conversationId, p_visitor_id: visitorId, p_workspace: workspace, p_muted: muted });
}

/** null when the conversation is gone. */
export async function pushTargets(conversationId: string) {
  return (await db()).call<PushTargets | null>('push_targets', { p_conversation_id: conversationId });
}

/** A 404/410 from the push service: the endpoint is dead for every conversation. */
export async function deleteEndpoint(endpoint: string) {
  return (await db()).call<number>('delete_push_subscription', { p_endpoint: endpoint });
}
