import { z } from 'zod';

/**
 * Push services a subscription may point at. Our server POSTs to whatever endpoint a browser
 * hands us, so anything else would let a visitor aim it at arbitrary URLs (SSRF). Exact hosts, or
 * `*.suffix` for any subdomain. `PUSH_ALLOWED_HOSTS` adds more (tests add 127.0.0.1).
 */
export const DEFAULT_PUSH_HOSTS = [
  'fcm.googleapis.com', // Chrome, Edge, Android
  'updates.push.services.mozilla.com', // Firefox
  '*.push.apple.com', // Safari, iOS/iPadOS home-screen apps (web.push.apple.com)
  '*.notify.windows.com', // legacy Edge / Windows
] as const;

/** Upper bound on the subscribe body; a real one is well under 1 KB. */
export const MAX_PUSH_BODY_BYTES = 4096;
const MAX_ENDPOINT_CHARS = 2048;

export function hostAllowed(hostname: string, patterns: readonly string[]): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return patterns.some((pattern) => (pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1 : host === pattern));
}

// No real endpoint has them; the URL parser would quietly drop some, and Postgres can't store NUL.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** The endpoint as a URL when it is https on an allowed push service, else why not. */
export function checkEndpoint(endpoint: string, extraHosts: readonly string[]): { ok: true; url: URL } | { ok: false; problem: string } {
  if (CONTROL_CHARACTERS.test(endpoint)) return { ok: false, problem: 'must not contain control characters' };
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return { ok: false, problem: 'not a URL' };
  }
  if (url.protocol !== 'https:') return { ok: false, problem: 'must be an https: URL' };
  if (url.username || url.password) return { ok: false, problem: 'must not carry credentials' };
  if (!hostAllowed(url.hostname, [...DEFAULT_PUSH_HOSTS, ...extraHosts])) return { ok: false, problem: `${url.hostname} is not a known push service` };
  return { ok: true, url };
}

// Browsers give unpadded base64url; tolerate padding and keep the canonical form.
const base64urlKey = (bytes: number, what: string) =>
  z
    .string()
    .max(200)
    .transform((value) => value.replace(/=+$/, ''))
    .refine((value) => /^[A-Za-z0-9_-]+$/.test(value) && Buffer.from(value, 'base64url').length === bytes, `${what}: ${bytes} bytes of URL-safe base64`);

const p256dhSchema = base64urlKey(65, 'an uncompressed P-256 public key').refine((value) => Buffer.from(value, 'base64url')[0] === 0x04, 'an uncompressed P-256 point starts with 0x04');

/** `POST /api/push/subscribe`: a browser PushSubscription (its toJSON()) for one conversation. */
export function subscribeSchema(extraHosts: readonly string[]) {
  const endpoint = z
    .string()
    .max(MAX_ENDPOINT_CHARS)
    .superRefine((value, ctx) => {
      const checked = checkEndpoint(value, extraHosts);
      if (!checked.ok) ctx.addIssue({ code: 'custom', message: checked.problem });
    });
  return z.object({
    conversationId: z.uuid('Not a valid conversation id'),
    subscription: z.object({
      endpoint,
      expirationTime: z.number().nullable().optional(),
      keys: z.object({ p256dh: p256dhSchema, auth: base64urlKey(16, 'the auth secret') }),
    }),
    showPreview: z.boolean().optional().default(false),
  });
}

export type SubscribeInput = z.infer<ReturnType<typeof subscribeSchema>>;

/** `DELETE /api/push/unsubscribe`. Any endpoint string: removing one never sends anything. */
export const unsubscribeSchema = z.object({
  conversationId: z.uuid('Not a valid conversation id'),
  endpoint: z
    .string()
    .min(1)
    .max(MAX_ENDPOINT_CHARS)
    .refine((value) => !CONTROL_CHARACTERS.test(value), 'must not contain control characters'),
});

/** `PUT /api/conversations/:id/mute`. */
export const muteSchema = z.object({ muted: z.boolean() });

/** What the service worker receives (JSON, encrypted aes128gcm). */
export type PushPayload = {
  title: string;
  body: string;
  data: { conversationId: string; url: string };
};
