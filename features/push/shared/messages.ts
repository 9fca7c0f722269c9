import type { PushPayload } from '../schemas';

/** What a push carries, as the server sends it. */
export type { PushPayload };

/** The worker asks an open window to show a conversation (after a notification was tapped). */
export const OPEN_CONVERSATION = 'open-conversation';
export type OpenConversationMessage = { type: typeof OPEN_CONVERSATION; conversationId: string };

export function isOpenConversationMessage(value: unknown): value is OpenConversationMessage {
  return typeof value === 'object' && value !== null && (value as OpenConversationMessage).type === OPEN_CONVERSATION && typeof (value as OpenConversationMessage).conversationId === 'string';
}

export const NOTIFICATION_ICON = '/icons/icon-192.png';
export const NOTIFICATION_BADGE = '/icons/badge-96.png';

/** base64url (a VAPID public key) → the bytes `pushManager.subscribe` wants. */
export function base64UrlToBytes(value: string): Uint8Array<ArrayBuffer> {
  const base64 = value
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(value.length / 4) * 4, '=');
  const binary = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function bytesToBase64Url(bytes: ArrayBuffer | Uint8Array): string {
  let binary = '';
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
