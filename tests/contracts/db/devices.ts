/** Devices: handoff links, what a redeemed one grants, and revoking. */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Db } from '@/lib/db/types';
import { contractCalls, ISO } from './calls';

export function defineDeviceContract(getDb: () => Db) {
  const { open } = contractCalls(getDb);

  describe('devices: handoff links and what they grant', () => {
    const actor = (conversation: string, visitor: string, workspace = 'demo') =>
      getDb().call<string | null>('conversation_actor', { p_conversation_id: conversation, p_visitor_id: visitor, p_workspace: workspace });
    const handoff = (conversation: string, hash: string, ttl = 600, visitor = 'visitor-a') =>
      getDb().call<{ expiresAt: string }>('create_handoff', { p_conversation_id: conversation, p_visitor_id: visitor, p_user_agent: 'Desk browser', p_token_hash: hash, p_ttl_seconds: ttl });
    const redeem = (hash: string, visitor: string, workspace = 'demo') =>
      getDb().call<{ status: string; conversationId?: string }>('redeem_handoff', { p_token_hash: hash, p_visitor_id: visitor, p_workspace: workspace, p_user_agent: 'Phone browser' });
    type Listed = { deviceId: string; userAgent: string; addedAt: string; lastSeenAt: string; current: boolean };
    const devices = (conversation: string, visitor: string) => getDb().call<Listed[]>('list_devices', { p_conversation_id: conversation, p_visitor_id: visitor });

    it('a redeemed link makes the browser a device that acts as the owner, for that conversation only; once', async () => {
      const conversation = randomUUID();
      const other = randomUUID();
      await open({ id: conversation });
      await open({ id: other });
      const phone = `phone-${randomUUID()}`;
      expect(await actor(conversation, 'visitor-a')).toBe('visitor-a');
      expect(await actor(conversation, phone)).toBeNull();
      expect(await handoff(conversation, `hash-${conversation}`)).toEqual({ expiresAt: expect.stringMatching(ISO) });
      expect(await redeem(`hash-${conversation}`, phone, 'elsewhere')).toEqual({ status: 'unknown' });
      expect(await redeem(`hash-${conversation}`, phone)).toEqual({ status: 'ok', conversationId: conversation });
      expect(await redeem(`hash-${conversation}`, `thief-${randomUUID()}`)).toEqual({ status: 'used' });
      expect(await redeem('no-such-hash', phone)).toEqual({ status: 'unknown' });
      expect(await actor(conversation, phone)).toBe('visitor-a');
      expect(await actor(conversation, phone, 'elsewhere')).toBeNull();
      expect(await actor(other, phone)).toBeNull();
      const statuses = await getDb().call<Array<{ id: string }>>('conversation_statuses', { p_visitor_id: phone, p_workspace: 'demo', p_ids: [conversation, other] });
      expect(statuses.map((status) => status.id)).toEqual([conversation]);
    });

    it('an expired link says so, and grants nothing', async () => {
      const conversation = randomUUID();
      await open({ id: conversation });
      await handoff(conversation, `expired-${conversation}`, -1);
      expect(await redeem(`expired-${conversation}`, 'late-phone')).toEqual({ status: 'expired' });
      expect(await actor(conversation, 'late-phone')).toBeNull();
    });

    it('lists the devices; revoking one ends its access and its notifications; a revoked owner hands the conversation over', async () => {
      const conversation = randomUUID();
      await open({ id: conversation });
      const phone = `phone-${randomUUID()}`;
      await handoff(conversation, `list-${conversation}`);
      await redeem(`list-${conversation}`, phone);
      const listed = await devices(conversation, phone);
      expect(listed.map(({ userAgent, current }) => ({ userAgent, current }))).toEqual([
        { userAgent: 'Desk browser', current: false },
        { userAgent: 'Phone browser', current: true },
      ]);
      const [desk, phoneDevice] = listed as [Listed, Listed];
      const subscribe = (endpoint: string, device: string) =>
        getDb().call<boolean>('subscribe_push', {
          p_conversation_id: conversation,
          p_visitor_id: 'visitor-a',
          p_workspace: 'demo',
          p_endpoint: endpoint,
          p_public_key: 'k',
          p_auth_secret: 'a',
          p_show_preview: false,
          p_device_visitor_id: device,
        });
      expect(await subscribe('https://push.example/desk', 'visitor-a')).toBe(true);
      expect(await subscribe('https://push.example/phone', phone)).toBe(true);
      const revoke = (device: string, by: string) => getDb().call<boolean>('revoke_device', { p_conversation_id: conversation, p_device_id: device, p_visitor_id: by });
      expect(await revoke(phoneDevice.deviceId, phone)).toBe(false); // not one's own
      expect(await revoke(phoneDevice.deviceId, 'visitor-a')).toBe(true);
      expect(await actor(conversation, phone)).toBeNull();
      const targets = await getDb().call<{ subscriptions: Array<{ endpoint: string }> }>('push_targets', { p_conversation_id: conversation });
      expect(targets.subscriptions.map((target) => target.endpoint)).toEqual(['https://push.example/desk']);

      // Back on the phone, which then revokes the desk, the owner: the phone owns it now.
      await handoff(conversation, `again-${conversation}`);
      await redeem(`again-${conversation}`, phone);
      expect(await revoke(desk.deviceId, phone)).toBe(true);
      expect(await actor(conversation, 'visitor-a')).toBeNull();
      expect(await actor(conversation, phone)).toBe(phone);
    });
  });
}
