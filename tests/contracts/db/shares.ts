/** Share links: one per conversation, replaced, turned off, per workspace. */
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { Db } from '@/lib/db/types';
import { contractCalls } from './calls';

export function defineShareContract(getDb: () => Db) {
  const { open } = contractCalls(getDb);

  it('share links: one per conversation, a new one replaces it, turning it off ends it, in its workspace only', async () => {
    const conversation = randomUUID();
    await open({ id: conversation });
    const opened = (hash: string, workspace = 'demo') => getDb().call<{ conversationId: string; ownerId: string } | null>('shared_conversation', { p_token_hash: hash, p_workspace: workspace });
    const shared = () => getDb().call<boolean>('is_shared', { p_conversation_id: conversation });
    expect(await shared()).toBe(false);
    await getDb().call('share_conversation', { p_conversation_id: conversation, p_token_hash: `first-${conversation}` });
    expect(await opened(`first-${conversation}`)).toEqual({ conversationId: conversation, ownerId: 'visitor-a' });
    expect(await opened(`first-${conversation}`, 'elsewhere')).toBeNull();
    await getDb().call('share_conversation', { p_conversation_id: conversation, p_token_hash: `second-${conversation}` });
    expect(await opened(`first-${conversation}`)).toBeNull();
    expect(await opened(`second-${conversation}`)).toMatchObject({ conversationId: conversation });
    expect(await shared()).toBe(true);
    expect(await getDb().call('stop_sharing', { p_conversation_id: conversation })).toBe(true);
    expect(await getDb().call('stop_sharing', { p_conversation_id: conversation })).toBe(false);
    expect(await opened(`second-${conversation}`)).toBeNull();
    expect(await shared()).toBe(false);
  });
}
