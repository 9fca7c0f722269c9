import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkEndpoint, hostAllowed, subscribeSchema, unsubscribeSchema } from './schemas';

const ecdh = createECDH('prime256v1');
ecdh.generateKeys();
const keys = { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
const body = (subscription: Record<string, unknown>) => ({ conversationId: randomUUID(), subscription: { endpoint: 'https://fcm.googleapis.com/fcm/send/abc', keys, ...subscription } });

describe('the push-service allow-list', () => {
  it.each([
    ['fcm.googleapis.com', true],
    ['updates.push.services.mozilla.com', true],
    ['web.push.apple.com', true],
    ['api.push.apple.com', true],
    ['db5p.notify.windows.com', true],
    ['push.apple.com', false],
    ['evilpush.apple.com', false],
    ['fcm.googleapis.com.evil.com', false],
    ['127.0.0.1', false],
    ['169.254.169.254', false],
  ])('%s → %s', (host, allowed) => {
    expect(checkEndpoint(`https://${host}/x`, []).ok).toBe(allowed);
  });

  it('takes extra hosts, exact or *.suffix', () => {
    expect(checkEndpoint('https://127.0.0.1:8443/push/1', ['127.0.0.1']).ok).toBe(true);
    expect(hostAllowed('a.push.example', ['*.push.example'])).toBe(true);
    expect(hostAllowed('push.example', ['*.push.example'])).toBe(false);
  });

  it('wants https and no credentials', () => {
    expect(checkEndpoint('http://fcm.googleapis.com/x', [])).toMatchObject({ ok: false, problem: expect.stringContaining('https') });
    expect(checkEndpoint('https://user:pw@fcm.googleapis.com/x', []).ok).toBe(false);
    expect(checkEndpoint('not a url', []).ok).toBe(false);
  });
});

describe('subscribeSchema', () => {
  const schema = subscribeSchema([]);

  it('accepts a browser subscription; showPreview defaults to false; padding is dropped', () => {
    const parsed = schema.parse(body({ expirationTime: null, keys: { ...keys, auth: `${keys.auth}==` } }));
    expect(parsed.showPreview).toBe(false);
    expect(parsed.subscription.keys).toEqual(keys);
  });

  it.each([
    ['an endpoint off the allow-list', body({ endpoint: 'https://example.com/push' }), 'subscription.endpoint'],
    ['a plain http endpoint', body({ endpoint: 'http://fcm.googleapis.com/fcm/send/abc' }), 'subscription.endpoint'],
    ['a short p256dh', body({ keys: { ...keys, p256dh: keys.p256dh.slice(0, 40) } }), 'subscription.keys.p256dh'],
    ['a compressed point', body({ keys: { ...keys, p256dh: Buffer.concat([Buffer.from([2]), randomBytes(64)]).toString('base64url') } }), 'subscription.keys.p256dh'],
    ['a 32-byte auth', body({ keys: { ...keys, auth: randomBytes(32).toString('base64url') } }), 'subscription.keys.auth'],
    ['auth that is not base64url', body({ keys: { ...keys, auth: '!!!!!!!!!!!!!!!!!!!!!!' } }), 'subscription.keys.auth'],
    ['a huge endpoint', body({ endpoint: `https://fcm.googleapis.com/${'a'.repeat(3000)}` }), 'subscription.endpoint'],
    // The URL parser drops a leading NUL, so the URL looks fine; storing it was a 500.
    ['an endpoint with a NUL', body({ endpoint: '\u0000https://fcm.googleapis.com/fcm/send/abc' }), 'subscription.endpoint'],
  ])('refuses %s', (_what, input, field) => {
    const result = schema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path.join('.'))).toContain(field);
  });

  it('refuses a conversation id that is not a uuid', () => {
    expect(schema.safeParse({ ...body({}), conversationId: 'abc' }).success).toBe(false);
  });
});

describe('unsubscribeSchema', () => {
  it('takes any endpoint string but one with control characters (Postgres cannot store NUL)', () => {
    expect(unsubscribeSchema.safeParse({ conversationId: randomUUID(), endpoint: 'anything at all' }).success).toBe(true);
    expect(unsubscribeSchema.safeParse({ conversationId: randomUUID(), endpoint: 'https://fcm.googleapis.com/x\u0000' }).success).toBe(false);
  });
});
