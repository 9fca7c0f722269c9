/** Private workspaces: invites, who they make a member, the gate's lookups, and revoking. */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Db } from '@/lib/db/types';
import { contractCalls, ISO } from './calls';

type Listed = { memberId: string; label: string; userAgent: string; via: string; joinedAt: string; lastSeenAt: string };

export function defineMemberContract(getDb: () => Db) {
  const { open } = contractCalls(getDb);

  describe('workspace members: invites, the gate, revoking', () => {
    // Each test its own workspace, so members and invites of other tests (and reruns) don't mix in.
    const workspace = () => `w-${randomUUID().slice(0, 8)}`;
    const invite = (space: string, hash: string, { uses = 1, ttl = 600, label = 'Ana', by = null as string | null } = {}) =>
      getDb().call<{ expiresAt: string }>('create_invite', { p_workspace: space, p_token_hash: hash, p_label: label, p_uses: uses, p_ttl_seconds: ttl, p_created_by: by });
    const redeem = (space: string, hash: string, visitor: string) =>
      getDb().call<{ status: string; memberId?: string }>('redeem_invite', { p_token_hash: hash, p_workspace: space, p_visitor_id: visitor, p_user_agent: 'Phone browser' });
    const member = (space: string, visitor: string) => getDb().call<string | null>('workspace_member', { p_workspace: space, p_visitor_id: visitor });
    const list = (space: string) => getDb().call<Listed[]>('list_members', { p_workspace: space });
    const revoke = (space: string, ref: string) => getDb().call<{ status: string; memberId?: string }>('revoke_member', { p_workspace: space, p_member: ref });

    it('an invite makes a member, as many times as it has uses, only in its own workspace', async () => {
      const space = workspace();
      expect(await invite(space, `twice-${space}`, { uses: 2 })).toEqual({ expiresAt: expect.stringMatching(ISO) });
      expect(await redeem('elsewhere', `twice-${space}`, 'v1')).toEqual({ status: 'unknown' });
      const first = await redeem(space, `twice-${space}`, 'v1');
      expect(first).toEqual({ status: 'ok', memberId: expect.any(String) });
      // A member opening it again spends nothing and keeps its id.
      expect(await redeem(space, `twice-${space}`, 'v1')).toEqual(first);
      expect(await redeem(space, `twice-${space}`, 'v2')).toMatchObject({ status: 'ok' });
      expect(await redeem(space, `twice-${space}`, 'v3')).toEqual({ status: 'used' });
      expect(await redeem(space, 'no-such-hash', 'v3')).toEqual({ status: 'unknown' });
      expect(await member(space, 'v1')).toBe(first.memberId);
      expect(await member(space, 'v3')).toBeNull();
      expect(await member('elsewhere', 'v1')).toBeNull();
      const listed = await list(space);
      expect(listed.map(({ label, userAgent, via }) => ({ label, userAgent, via }))).toEqual([
        { label: 'Ana', userAgent: 'Phone browser', via: 'invite' },
        { label: 'Ana', userAgent: 'Phone browser', via: 'invite' },
      ]);
      expect(listed[0]).toMatchObject({ joinedAt: expect.stringMatching(ISO), lastSeenAt: expect.stringMatching(ISO) });
      expect(await getDb().call<string[]>('present_members', { p_workspace: space, p_visitor_ids: ['v1', 'v3', 'v2'] })).toEqual(['v1', 'v2']);
    });

    it('an expired invite says so, and makes nobody a member', async () => {
      const space = workspace();
      await invite(space, `late-${space}`, { ttl: -1 });
      expect(await redeem(space, `late-${space}`, 'late')).toEqual({ status: 'expired' });
      expect(await member(space, 'late')).toBeNull();
      expect(await list(space)).toEqual([]);
    });

    it('a handoff admits a member once; revoking by a short id ends membership and the notifications it asked for', async () => {
      const space = workspace();
      await getDb().call('admit_member', { p_workspace: space, p_visitor_id: 'phone', p_label: 'Opened a handoff link', p_user_agent: 'Phone', p_via: 'handoff' });
      await getDb().call('admit_member', { p_workspace: space, p_visitor_id: 'phone', p_label: 'again', p_user_agent: 'Other', p_via: 'handoff' });
      const [listed] = (await list(space)) as [Listed];
      expect(listed).toMatchObject({ label: 'Opened a handoff link', via: 'handoff' });
      const conversation = randomUUID();
      await open({ id: conversation, visitor: 'phone', workspace: space });
      const subscribed = await getDb().call<boolean>('subscribe_push', {
        p_conversation_id: conversation,
        p_visitor_id: 'phone',
        p_workspace: space,
        p_endpoint: 'https://push.example/phone',
        p_public_key: 'k',
        p_auth_secret: 'a',
        p_show_preview: false,
        p_device_visitor_id: 'phone',
      });
      expect(subscribed).toBe(true);

      expect(await revoke(space, 'zz')).toEqual({ status: 'unknown' });
      expect(await revoke(space, '%')).toEqual({ status: 'unknown' });
      expect(await revoke('elsewhere', listed.memberId.slice(0, 8))).toEqual({ status: 'unknown' });
      expect(await revoke(space, listed.memberId.slice(0, 8))).toEqual({ status: 'ok', memberId: listed.memberId });
      expect(await member(space, 'phone')).toBeNull();
      expect(await list(space)).toEqual([]);
      const targets = await getDb().call<{ subscriptions: unknown[] }>('push_targets', { p_conversation_id: conversation });
      expect(targets.subscriptions).toEqual([]);
      expect(await revoke(space, listed.memberId)).toEqual({ status: 'unknown' });
    });
  });
}
