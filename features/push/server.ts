import 'server-only';
import { serverEnv } from '@/lib/env';
import { subscribeSchema as buildSubscribeSchema } from './schemas';
import { vapidKeys } from './server/vapid';

export { MAX_PUSH_BODY_BYTES, muteSchema, unsubscribeSchema, type PushPayload } from './schemas';
export { sendRunNotices, settlePushes } from './server/send';
export { setMuted, subscribe, unsubscribe } from './server/subscriptions';
export { vapidSource } from './server/vapid';

/** The subscribe body's schema, with this server's allow-list of push services. */
export function subscribeSchema() {
  return buildSubscribeSchema(serverEnv().PUSH_ALLOWED_HOSTS);
}

/** The applicationServerKey browsers subscribe with (URL-safe base64, 65-byte P-256 point). */
export function vapidPublicKey(): string {
  return vapidKeys().publicKey;
}
