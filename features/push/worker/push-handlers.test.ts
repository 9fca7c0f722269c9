import { describe, expect, it } from 'vitest';
import { base64UrlToBytes, bytesToBase64Url, isOpenConversationMessage } from '../shared/messages';
import { sameSubscription } from '../shared/push-state';
import { toPayload } from './push-handlers';

const id = '0b9f6c1e-3a59-4c7e-9a53-6f1c2d3e4f50';

describe('toPayload', () => {
  it('keeps a well-formed payload as it is', () => {
    const payload = { title: 'Task is ready', body: 'claude-sonnet-4-5 in build mode is done working', data: { conversationId: id, url: `/?c=${id}` } };
    expect(toPayload(payload)).toEqual(payload);
  });

  it('shows something for whatever arrives: a push must always become a notification', () => {
    expect(toPayload(null)).toEqual({ title: 'Tether', body: 'The agent has finished.', data: { conversationId: '', url: '/' } });
    expect(toPayload('not an object')).toEqual(toPayload(null));
    expect(toPayload({ title: '', body: 42 })).toEqual(toPayload(null));
    // A conversation but no URL: the URL that opens it.
    expect(toPayload({ title: 'Done', data: { conversationId: id } })).toEqual({ title: 'Done', body: 'The agent has finished.', data: { conversationId: id, url: `/?c=${id}` } });
  });
});

describe('page ↔ worker helpers', () => {
  it('turns a base64url VAPID key into bytes and back', () => {
    const key = 'BAoVIxCFQv2Fh9JSUiXqg6a2DxdXwvTPj2bwiu7v0lYDR2pWjeB1rpH0oA6xL3EPBoeCrjaAR7uVkCj8BTpfl2Y';
    const bytes = base64UrlToBytes(key);
    expect(bytes).toHaveLength(65);
    expect(bytes[0]).toBe(4);
    expect(bytesToBase64Url(bytes)).toBe(key);
    expect(bytesToBase64Url(bytes.buffer)).toBe(key);
  });

  it('compares subscriptions by endpoint and keys', () => {
    const a = { endpoint: 'https://push.example/1', keys: { p256dh: 'p', auth: 'a' } };
    expect(sameSubscription(a, { ...a, expirationTime: null })).toBe(true);
    expect(sameSubscription(a, { ...a, endpoint: 'https://push.example/2' })).toBe(false);
    expect(sameSubscription(a, { ...a, keys: { p256dh: 'p', auth: 'b' } })).toBe(false);
    expect(sameSubscription(a, null)).toBe(false);
  });

  it('recognizes only well-formed open-conversation messages', () => {
    expect(isOpenConversationMessage({ type: 'open-conversation', conversationId: id })).toBe(true);
    expect(isOpenConversationMessage({ type: 'open-conversation' })).toBe(false);
    expect(isOpenConversationMessage({ type: 'other', conversationId: id })).toBe(false);
    expect(isOpenConversationMessage(null)).toBe(false);
  });
});
