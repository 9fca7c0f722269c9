/**
 * Attachments count toward their workspace's disk quota: the bytes its conversations hold, summed
 * over every visitor's, and a save that would take them past the cap the server gives is refused,
 * atomically against saves to the workspace's other conversations.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Db } from '@/lib/db/types';
import { contractCalls } from './calls';

// Only what these checks read of save_attachment's answer (tests/contracts/db/attachments.ts has the rest).
type Saved = { status: string; attachment?: { id: string }; workspaceBytes?: number };

export function defineWorkspaceAttachmentContract(getDb: () => Db) {
  const { open, startRun } = contractCalls(getDb);
  const save = (conversation: string, bytes: Buffer, { workspace, visitor = 'visitor-a', maxWorkspace }: { workspace: string; visitor?: string; maxWorkspace?: number }) =>
    getDb().call<Saved>('save_attachment', {
      p_conversation_id: conversation,
      p_visitor_id: visitor,
      p_workspace: workspace,
      p_name: 'notes.txt',
      p_media_type: 'text/plain',
      p_data: bytes.toString('base64'),
      p_width: null,
      p_height: null,
      p_max_unsent_count: 5,
      p_max_unsent_bytes: 1_000_000,
      // Left out unless given: a save without it has no workspace cap (no quota).
      p_max_workspace_bytes: maxWorkspace,
    });
  const saved = async (...args: Parameters<typeof save>) => {
    const result = await save(...args);
    if (result.status !== 'saved' || !result.attachment) throw new Error(`not saved: ${JSON.stringify(result)}`);
    return result.attachment;
  };

  describe("a workspace's attachments", () => {
    it("are summed over every visitor's conversations, sent or not; a save past the workspace's cap is refused", async () => {
      const [workspace, other] = [`ws-${randomUUID()}`, `ws-${randomUUID()}`];
      const stored = () => getDb().call<number>('workspace_attachment_bytes', { p_workspace: workspace });
      expect(await stored()).toBe(0);
      const [mine, theirs, elsewhere] = [randomUUID(), randomUUID(), randomUUID()];
      await open({ id: mine, workspace });
      await open({ id: theirs, visitor: 'visitor-b', workspace });
      await open({ id: elsewhere, workspace: other });
      const sent = await saved(mine, Buffer.from('12345'), { workspace, maxWorkspace: 10 });
      await getDb().call('attach_attachments', { p_conversation_id: mine, p_run_id: (await startRun(mine)).id, p_ids: [sent.id] });
      await saved(theirs, Buffer.from('123'), { visitor: 'visitor-b', workspace, maxWorkspace: 10 });
      expect(await stored()).toBe(8);
      expect(await save(mine, Buffer.from('123'), { workspace, maxWorkspace: 10 })).toEqual({ status: 'workspace_full', workspaceBytes: 8 });
      await saved(mine, Buffer.from('12'), { workspace, maxWorkspace: 10 });
      // Without a cap only the message's limits apply; another workspace's never count.
      await saved(mine, Buffer.from('123'), { workspace });
      await saved(elsewhere, Buffer.from('1234567890'), { workspace: other });
      expect(await stored()).toBe(13);
      // Deleting a conversation frees what its attachments took.
      await getDb().call('delete_conversations', { p_visitor_id: 'visitor-b', p_workspace: workspace, p_ids: [theirs] });
      expect(await stored()).toBe(10);
    });

    it('of two saves at once to two conversations with room for one, exactly one is saved', async () => {
      const workspace = `ws-${randomUUID()}`;
      const [a, b] = [randomUUID(), randomUUID()];
      await open({ id: a, workspace });
      await open({ id: b, visitor: 'visitor-b', workspace });
      const results = await Promise.all([save(a, Buffer.alloc(600, 'a'), { workspace, maxWorkspace: 1000 }), save(b, Buffer.alloc(600, 'b'), { visitor: 'visitor-b', workspace, maxWorkspace: 1000 })]);
      expect(results.map((result) => result.status).sort()).toEqual(['saved', 'workspace_full']);
    });
  });
}
