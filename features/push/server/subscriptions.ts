import 'server-only';
import { AppError } from '@/lib/errors';
import type { SubscribeInput } from '../schemas';
import { removeSubscription, storeMuted, upsertSubscription } from './queries';

type Owner = { visitorId: string; workspace: string };

const notFound = () => new AppError('not_found:conversation', 'No such conversation.');

/** Subscribes this device to the visitor's conversation (again: keys and preview choice are refreshed). */
export async function subscribe({ visitorId, device, workspace, conversationId, subscription, showPreview }: Owner & SubscribeInput & { device: string }): Promise<void> {
  const stored = await upsertSubscription({
    conversationId,
    visitorId,
    device,
    workspace,
    endpoint: subscription.endpoint,
    p256dh: subscription.keys.p256dh,
    auth: subscription.keys.auth,
    showPreview,
  });
  if (!stored) throw notFound();
}

/** Idempotent for the owner; someone else's (or a gone) conversation is not found. */
export async function unsubscribe({ visitorId, workspace, conversationId, endpoint }: Owner & { conversationId: string; endpoint: string }): Promise<void> {
  const removed = await removeSubscription({ conversationId, visitorId, workspace, endpoint });
  if (removed === null) throw notFound();
}

export async function setMuted({ visitorId, workspace, conversationId, muted }: Owner & { conversationId: string; muted: boolean }): Promise<{ muted: boolean }> {
  const stored = await storeMuted({ conversationId, visitorId, workspace, muted });
  if (stored === null) throw notFound();
  return { muted: stored };
}
