/** Push subscriptions: subscribe, unsubscribe, mute, and dead endpoints. */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Db } from '@/lib/db/types';
import { contractCalls, tick } from './calls';

export function definePushContract(getDb: () => Db) {
  const { open, get } = contractCalls(getDb);

  describe('push subscriptions', () => {
    type Targets = { muted: boolean; subscriptions: Array<{ endpoint: string; p256dh: string; auth: string; showPreview: boolean }> };
    const subscribe = (p: { conversation: string; endpoint: string; visitor?: string; workspace?: string; p256dh?: string; auth?: string; preview?: boolean }) =>
      getDb().call<boolean>('subscribe_push', {
        p_conversation_id: p.conversation,
        p_visitor_id: p.visitor ?? 'visitor-a',
        p_workspace: p.workspace ?? 'demo',
        p_endpoint: p.endpoint,
        p_public_key: p.p256dh ?? 'key-1',
        p_auth_secret: p.auth ?? 'auth-1',
        p_show_preview: p.preview ?? false,
        p_device_visitor_id: p.visitor ?? 'visitor-a',
      });
    const unsubscribe = (conversation: string, endpoint: string, visitor = 'visitor-a') =>
      getDb().call<boolean | null>('unsubscribe_push', { p_conversation_id: conversation, p_visitor_id: visitor, p_workspace: 'demo', p_endpoint: endpoint });
    const targets = (conversation: string) => getDb().call<Targets | null>('push_targets', { p_conversation_id: conversation });
    const setMuted = (id: string, muted: boolean, visitor = 'visitor-a') => getDb().call<boolean | null>('set_muted', { p_id: id, p_visitor_id: visitor, p_workspace: 'demo', p_muted: muted });
    const endpoint = () => `https://push.example/${randomUUID()}`;

    it("subscribe_push stores a device on the owner's live conversation only, upserting per (conversation, endpoint)", async () => {
      const id = randomUUID();
      await open({ id });
      const [phone, laptop] = [endpoint(), endpoint()];
      expect(await subscribe({ conversation: id, endpoint: phone })).toBe(true);
      expect(await subscribe({ conversation: id, endpoint: laptop, preview: true })).toBe(true);
      // The same device again: keys and preview refreshed, still one row.
      expect(await subscribe({ conversation: id, endpoint: phone, p256dh: 'key-2', auth: 'auth-2', preview: true })).toBe(true);
      expect(await targets(id)).toEqual({
        muted: false,
        subscriptions: [
          { endpoint: phone, p256dh: 'key-2', auth: 'auth-2', showPreview: true },
          { endpoint: laptop, p256dh: 'key-1', auth: 'auth-1', showPreview: true },
        ],
      });

      expect(await subscribe({ conversation: id, endpoint: endpoint(), visitor: 'visitor-b' })).toBe(false);
      expect(await subscribe({ conversation: id, endpoint: endpoint(), workspace: 'other' })).toBe(false);
      expect(await subscribe({ conversation: randomUUID(), endpoint: endpoint() })).toBe(false);
      const expired = randomUUID();
      await open({ id: expired, ttl: 0 });
      expect(await subscribe({ conversation: expired, endpoint: endpoint() })).toBe(false);
      expect((await targets(id))!.subscriptions).toHaveLength(2);
      expect(await targets(expired)).toBeNull();
      expect(await targets(randomUUID())).toBeNull();
    });

    it('one endpoint follows many conversations; a conversation keeps its 10 latest devices', async () => {
      const [a, b] = [randomUUID(), randomUUID()];
      await open({ id: a });
      await open({ id: b });
      const shared = endpoint();
      await subscribe({ conversation: a, endpoint: shared });
      await subscribe({ conversation: b, endpoint: shared });
      expect((await targets(a))!.subscriptions.map((s) => s.endpoint)).toEqual([shared]);
      expect((await targets(b))!.subscriptions.map((s) => s.endpoint)).toEqual([shared]);

      const many = Array.from({ length: 11 }, endpoint);
      for (const device of many) {
        await tick();
        await subscribe({ conversation: a, endpoint: device });
      }
      const kept = (await targets(a))!.subscriptions.map((s) => s.endpoint);
      expect(kept.sort()).toEqual(many.slice(1).sort());
    });

    it('unsubscribe_push is idempotent for the owner and NULL for anyone else', async () => {
      const id = randomUUID();
      await open({ id });
      const device = endpoint();
      await subscribe({ conversation: id, endpoint: device });
      expect(await unsubscribe(id, device, 'visitor-b')).toBeNull();
      expect((await targets(id))!.subscriptions).toHaveLength(1);
      expect(await unsubscribe(id, device)).toBe(true);
      expect(await unsubscribe(id, device)).toBe(false);
      expect(await unsubscribe(randomUUID(), device)).toBeNull();
      expect((await targets(id))!.subscriptions).toEqual([]);
    });

    it('set_muted stores the flag for the owner only', async () => {
      const id = randomUUID();
      await open({ id });
      expect(await setMuted(id, true)).toBe(true);
      expect(await targets(id)).toMatchObject({ muted: true });
      expect((await get(id))!.muted).toBe(true);
      expect(await setMuted(id, false, 'visitor-b')).toBeNull();
      expect((await get(id))!.muted).toBe(true);
      expect(await setMuted(id, false)).toBe(false);
      expect(await targets(id)).toMatchObject({ muted: false });
      expect(await setMuted(randomUUID(), true)).toBeNull();
    });

    it('delete_push_subscription removes a dead endpoint from every conversation; purging a conversation removes its devices', async () => {
      const [a, b, doomed] = [randomUUID(), randomUUID(), randomUUID()];
      for (const id of [a, b, doomed]) await open({ id });
      const [dead, alive, orphan] = [endpoint(), endpoint(), endpoint()];
      await subscribe({ conversation: a, endpoint: dead });
      await subscribe({ conversation: b, endpoint: dead });
      await subscribe({ conversation: b, endpoint: alive });
      await subscribe({ conversation: doomed, endpoint: orphan });

      expect(await getDb().call('delete_push_subscription', { p_endpoint: dead })).toBe(2);
      expect(await getDb().call('delete_push_subscription', { p_endpoint: dead })).toBe(0);
      expect((await targets(a))!.subscriptions).toEqual([]);
      expect((await targets(b))!.subscriptions.map((s) => s.endpoint)).toEqual([alive]);

      await open({ id: doomed, ttl: 0 }); // reopened with no time left: expired now
      await getDb().call('purge_expired');
      expect(await getDb().call('delete_push_subscription', { p_endpoint: orphan })).toBe(0);
    });
  });
}
