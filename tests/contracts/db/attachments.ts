/** Attachments: saved to the owner's live conversation only, read back byte for byte, sent with a run, taken back, deleted with the conversation. */
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Db } from '@/lib/db/types';
import { contractCalls, ISO } from './calls';

export type Listed = { id: string; conversationId: string; runId: string | null; name: string; mediaType: string; size: number; width: number | null; height: number | null; createdAt: string };
type Saved = { status: 'saved'; attachment: Listed } | { status: 'unknown' } | { status: 'full'; unsentCount: number; unsentBytes: number };

/** The attachment functions, called as the app calls them (visitor-a in workspace demo unless told). */
export function attachmentCalls(getDb: () => Db) {
  const save = (
    conversation: string,
    bytes: Buffer,
    { visitor = 'visitor-a', workspace = 'demo', name = 'shot.png', mediaType = 'image/png', size = [1200, 800] as [number, number] | null, maxCount = 5, maxBytes = 1_000_000 } = {},
  ) =>
    getDb().call<Saved>('save_attachment', {
      p_conversation_id: conversation,
      p_visitor_id: visitor,
      p_workspace: workspace,
      p_name: name,
      p_media_type: mediaType,
      p_data: bytes.toString('base64'),
      p_width: size?.[0] ?? null,
      p_height: size?.[1] ?? null,
      p_max_unsent_count: maxCount,
      p_max_unsent_bytes: maxBytes,
    });
  const saved = async (...args: Parameters<typeof save>) => {
    const result = await save(...args);
    if (result.status !== 'saved') throw new Error(`not saved: ${JSON.stringify(result)}`);
    // Lists are oldest first, ties broken by id: PGlite's clock can give two saves one millisecond,
    // so the next save waits for the clock to move on, and the tests' order is the saving order.
    await new Promise((resolve) => setTimeout(resolve, 2));
    return result.attachment;
  };
  const get = (conversation: string, id: string, visitor = 'visitor-a', workspace = 'demo') =>
    getDb().call<(Listed & { data: string }) | null>('get_attachment', { p_conversation_id: conversation, p_id: id, p_visitor_id: visitor, p_workspace: workspace });
  const list = (conversation: string, visitor = 'visitor-a', workspace = 'demo') =>
    getDb().call<Listed[]>('list_attachments', { p_conversation_id: conversation, p_visitor_id: visitor, p_workspace: workspace });
  const attach = (conversation: string, run: string, ids: string[], again?: string[]) =>
    getDb().call<Listed[] | null>('attach_attachments', { p_conversation_id: conversation, p_run_id: run, p_ids: ids, p_again: again });
  const remove = (conversation: string, id: string, visitor = 'visitor-a') =>
    getDb().call<string | null>('delete_attachment', { p_conversation_id: conversation, p_id: id, p_visitor_id: visitor, p_workspace: 'demo' });
  return { save, saved, get, list, attach, remove };
}

export function defineAttachmentContract(getDb: () => Db) {
  const { open, startRun } = contractCalls(getDb);
  const { save, saved, get, list, attach, remove } = attachmentCalls(getDb);

  describe('attachments', () => {
    it("are saved to the owner's live conversation only, and read back byte for byte (large ones too)", async () => {
      const conversation = randomUUID();
      await open({ id: conversation });
      // Every byte value, and past a megabyte: base64 in and out must lose nothing.
      const bytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(1_200_000)]);
      const attachment = await saved(conversation, bytes, { maxBytes: 2_000_000 });
      expect(attachment).toEqual({
        id: expect.any(String),
        conversationId: conversation,
        runId: null,
        name: 'shot.png',
        mediaType: 'image/png',
        size: bytes.byteLength,
        width: 1200,
        height: 800,
        createdAt: expect.stringMatching(ISO),
      });
      const read = await get(conversation, attachment.id);
      expect(read).toEqual({ ...attachment, data: expect.any(String) });
      expect(Buffer.from(read!.data, 'base64').equals(bytes)).toBe(true);

      expect(await save(conversation, bytes, { visitor: 'visitor-b' })).toEqual({ status: 'unknown' });
      expect(await save(conversation, bytes, { workspace: 'elsewhere' })).toEqual({ status: 'unknown' });
      expect(await save(randomUUID(), bytes)).toEqual({ status: 'unknown' });
      const expired = randomUUID();
      await open({ id: expired, ttl: -1 });
      expect(await save(expired, bytes)).toEqual({ status: 'unknown' });

      expect(await get(conversation, attachment.id, 'visitor-b')).toBeNull();
      expect(await get(conversation, attachment.id, 'visitor-a', 'elsewhere')).toBeNull();
      expect(await get(conversation, randomUUID())).toBeNull();
      const other = randomUUID();
      await open({ id: other });
      expect(await get(other, attachment.id)).toBeNull();
      await getDb().call('purge_expired');
    });

    it('list without bytes, oldest first; someone else gets [] as for none', async () => {
      const conversation = randomUUID();
      await open({ id: conversation });
      expect(await list(conversation)).toEqual([]);
      const first = await saved(conversation, Buffer.from('first'), { name: 'a.txt', mediaType: 'text/plain', size: null });
      const second = await saved(conversation, Buffer.from('second'), { name: 'b.log', mediaType: 'text/plain', size: null });
      const listed = await list(conversation);
      expect(listed).toEqual([first, second]);
      expect(listed[0]).toMatchObject({ width: null, height: null, size: 5 });
      expect(listed[0]).not.toHaveProperty('data');
      expect(await list(conversation, 'visitor-b')).toEqual([]);
      expect(await list(conversation, 'visitor-a', 'elsewhere')).toEqual([]);
    });

    it("unsent attachments stay within one message's count and bytes", async () => {
      const conversation = randomUUID();
      await open({ id: conversation });
      const limits = { maxCount: 2, maxBytes: 10 };
      await saved(conversation, Buffer.from('1234'), limits);
      expect(await save(conversation, Buffer.from('1234567'), limits)).toEqual({ status: 'full', unsentCount: 1, unsentBytes: 4 });
      const second = await saved(conversation, Buffer.from('123456'), limits);
      expect(await save(conversation, Buffer.from('1'), limits)).toEqual({ status: 'full', unsentCount: 2, unsentBytes: 10 });
      // Sent ones no longer count: they are the last message's.
      const run = await startRun(conversation);
      expect(await attach(conversation, run.id, [second.id])).toMatchObject([{ id: second.id, runId: run.id }]);
      await saved(conversation, Buffer.from('12345'), limits);
    });

    it('attach all the ids given to a run of the same conversation, or none', async () => {
      const conversation = randomUUID();
      await open({ id: conversation });
      const [a, b, c] = [await saved(conversation, Buffer.from('a')), await saved(conversation, Buffer.from('b')), await saved(conversation, Buffer.from('c'))];
      const run = await startRun(conversation);
      const elsewhere = randomUUID();
      await open({ id: elsewhere });
      const foreignRun = await startRun(elsewhere);
      const foreign = await saved(elsewhere, Buffer.from('f'));

      expect(await attach(conversation, foreignRun.id, [a.id])).toBeNull();
      expect(await attach(conversation, randomUUID(), [a.id])).toBeNull();
      expect(await attach(conversation, run.id, [a.id, foreign.id])).toBeNull();
      expect(await attach(conversation, run.id, [a.id, randomUUID()])).toBeNull();
      expect((await list(conversation)).map((item) => item.runId)).toEqual([null, null, null]);

      const attached = await attach(conversation, run.id, [b.id, a.id, a.id]);
      expect(attached!.map((item) => [item.id, item.runId])).toEqual([
        [b.id, run.id],
        [a.id, run.id],
      ]);
      expect(await attach(conversation, run.id, [a.id, c.id])).toBeNull();
      expect(await attach(conversation, run.id, [])).toEqual([]);
      expect((await list(conversation)).map((item) => item.runId)).toEqual([run.id, run.id, null]);
    });

    it('an unsent one can be taken back, a sent one stays; by the owner only', async () => {
      const conversation = randomUUID();
      await open({ id: conversation });
      const [unsent, sent] = [await saved(conversation, Buffer.from('u')), await saved(conversation, Buffer.from('s'))];
      const run = await startRun(conversation);
      await attach(conversation, run.id, [sent.id]);
      expect(await remove(conversation, unsent.id, 'visitor-b')).toBeNull();
      expect(await remove(conversation, sent.id)).toBe('sent');
      expect(await remove(conversation, unsent.id)).toBe('deleted');
      expect(await remove(conversation, unsent.id)).toBeNull();
      expect((await list(conversation)).map((item) => item.id)).toEqual([sent.id]);
    });

    it('go with their conversation: the same id opened again has none', async () => {
      const conversation = randomUUID();
      await open({ id: conversation });
      const run = await startRun(conversation);
      const attachment = await saved(conversation, Buffer.from('gone'));
      await attach(conversation, run.id, [attachment.id]);
      await saved(conversation, Buffer.from('unsent too'));
      expect(await getDb().call('delete_conversations', { p_visitor_id: 'visitor-a', p_workspace: 'demo', p_ids: [conversation] })).toEqual([conversation]);
      await open({ id: conversation });
      expect(await list(conversation)).toEqual([]);
      expect(await get(conversation, attachment.id)).toBeNull();
    });
  });
}
