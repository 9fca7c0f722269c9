/** Attachments kept by Retry, Edit and Branch: sent again by the message that replaces theirs, copied into a branch with their bytes. */
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Db } from '@/lib/db/types';
import { attachmentCalls, type Listed } from './attachments';
import { contractCalls } from './calls';

export function defineAttachmentCopyContract(getDb: () => Db) {
  const { open, startRun, finishRun } = contractCalls(getDb);
  const { save, saved, get, list, attach, remove } = attachmentCalls(getDb);
  const copy = (from: string, to: string, ids: string[]) => getDb().call<Listed[]>('copy_attachments', { p_from: from, p_to: to, p_ids: ids });
  const deleteConversation = (id: string) => getDb().call('delete_conversations', { p_visitor_id: 'visitor-a', p_workspace: 'demo', p_ids: [id] });

  describe('attachments kept', () => {
    it('a replacing message takes the sent ones it names again, with unsent ones; all or none', async () => {
      const conversation = randomUUID();
      await open({ id: conversation });
      const [old, other, fresh] = [await saved(conversation, Buffer.from('old')), await saved(conversation, Buffer.from('other')), await saved(conversation, Buffer.from('new'))];
      const replaced = await startRun(conversation);
      await attach(conversation, replaced.id, [old.id, other.id]);
      await finishRun(replaced.id, 'failed');
      const retry = await startRun(conversation);

      // Sent ones go again only when named as such.
      expect(await attach(conversation, retry.id, [old.id, fresh.id])).toBeNull();
      expect(await attach(conversation, retry.id, [old.id, fresh.id], [other.id])).toBeNull();
      expect((await list(conversation)).map((item) => item.runId)).toEqual([replaced.id, replaced.id, null]);

      const attached = await attach(conversation, retry.id, [fresh.id, old.id], [old.id]);
      expect(attached!.map((item) => [item.id, item.runId])).toEqual([
        [fresh.id, retry.id],
        [old.id, retry.id],
      ]);
      expect((await list(conversation)).map((item) => item.runId)).toEqual([retry.id, replaced.id, retry.id]);
      // Another conversation's are not taken, named or not.
      const elsewhere = randomUUID();
      await open({ id: elsewhere });
      expect(await attach(elsewhere, (await startRun(elsewhere)).id, [other.id], [other.id])).toBeNull();
    });

    it('a branch gets copies of the sent ones named, bytes and all, with the same ids and runs', async () => {
      const original = randomUUID();
      const branch = randomUUID();
      await open({ id: original });
      await open({ id: branch, title: 'Hello (branch)' });
      const bytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(300_000)]);
      const [image, note, left] = [
        await saved(original, bytes),
        await saved(original, Buffer.from('notes'), { name: 'notes.txt', mediaType: 'text/plain', size: null }),
        await saved(original, Buffer.from('later'), { name: 'later.txt', mediaType: 'text/plain', size: null }),
      ];
      const unsent = await saved(original, Buffer.from('unsent'));
      const run = await startRun(original);
      await attach(original, run.id, [image.id, note.id, left.id]);

      const copies = await copy(original, branch, [note.id, image.id, unsent.id, randomUUID()]);
      expect(copies).toEqual([
        { ...image, conversationId: branch, runId: run.id },
        { ...note, conversationId: branch, runId: run.id },
      ]);
      expect(await list(branch)).toEqual(copies);
      expect(Buffer.from((await get(branch, image.id))!.data, 'base64').equals(bytes)).toBe(true);
      // Copied once: copying again adds nothing.
      expect(await copy(original, branch, [image.id])).toEqual([]);

      // The copies are history: they can't be taken back, and don't count as the next message's.
      expect(await remove(branch, image.id)).toBe('sent');
      expect(await save(branch, Buffer.from('next'), { maxCount: 1 })).toMatchObject({ status: 'saved' });
      // Each conversation's are its own: deleting the original leaves the branch's copies as they were, still sent.
      await deleteConversation(original);
      expect(await list(branch)).toEqual(expect.arrayContaining(copies));
      expect(Buffer.from((await get(branch, image.id))!.data, 'base64').equals(bytes)).toBe(true);
      expect(await remove(branch, note.id)).toBe('sent');
      await deleteConversation(branch);
      expect(await get(branch, image.id)).toBeNull();
    });

    it('copies only into a conversation of the same workspace', async () => {
      const original = randomUUID();
      const foreign = randomUUID();
      await open({ id: original });
      await open({ id: foreign, workspace: 'elsewhere' });
      const image = await saved(original, Buffer.from('x'));
      await attach(original, (await startRun(original)).id, [image.id]);
      expect(await copy(original, foreign, [image.id])).toEqual([]);
      expect(await copy(original, randomUUID(), [image.id])).toEqual([]);
      expect(await copy(original, original, [image.id])).toEqual([]);
      expect(await list(foreign, 'visitor-a', 'elsewhere')).toEqual([]);
    });
  });
}
