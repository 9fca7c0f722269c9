/**
 * Uploading attachments through the real route handlers on PGlite: each kind comes back byte for
 * byte with headers that keep it from running as a page; a refused file, an oversize one and an
 * upload cut off halfway leave nothing behind; a first upload starts its conversation, counted as
 * a first message would count it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, attachmentRoutes, browser, newId, upload, type Browser } from '@/tests/fixtures/attachment-routes';
import { executable, pdf, png } from '@/tests/fixtures/attachment-files';

let routes: Awaited<ReturnType<typeof attachmentRoutes>>;

beforeAll(async () => {
  Object.assign(process.env, {
    TETHER_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tether-attachments-')),
    LOG_LEVEL: 'warn',
    TETHER_ATTACHMENT_MAX_MB: '0.25', // 256 KiB a file
    TETHER_ATTACHMENTS_MAX_MB_PER_MESSAGE: '0.5',
    TETHER_ATTACHMENTS_PER_MESSAGE: '3',
    TETHER_CONVERSATIONS_PER_VISITOR_PER_DAY: '3',
  });
  (await import('@/features/workspaces/server')).ensureDemoWorkspace();
  routes = await attachmentRoutes();
});
afterAll(async () => (await import('@/lib/db/connection')).closeDb());

const listed = async (as: Browser, conversationId: string) =>
  ((await (await as(routes.list, { url: `/api/conversations/${conversationId}/attachments`, params: { id: conversationId } })).json()) as { attachments: Array<{ id: string; runId: string | null }> })
    .attachments;
const conversationStatus = async (as: Browser, id: string) => (await as(routes.conversation, { url: `/api/conversations/${id}`, params: { id } })).status;
const errorOf = async (response: Response) => ({ status: response.status, body: (await response.json()) as unknown });

describe('uploading, then downloading', () => {
  it('an image: 201 with what the server found, then its bytes inline, typed, never sniffed, sandboxed', async () => {
    const desk = browser();
    const conversationId = newId();
    const bytes = png(1200, 800);
    const response = await upload(routes, desk, { conversationId, bytes, name: 'Bildschirmfoto 報告 "1".png', type: 'image/png' });
    expect(response.status).toBe(201);
    const { attachment } = (await response.json()) as { attachment: { id: string } };
    expect(attachment).toEqual({ id: expect.any(String), name: 'Bildschirmfoto 報告 "1".png', mediaType: 'image/png', size: bytes.byteLength, kind: 'image', width: 1200, height: 800 });

    const download = await desk(routes.download, at(conversationId, attachment.id));
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
    expect(Object.fromEntries(download.headers)).toMatchObject({
      'content-type': 'image/png',
      'content-disposition': `inline; filename="Bildschirmfoto __ _1_.png"; filename*=UTF-8''Bildschirmfoto%20%E5%A0%B1%E5%91%8A%20%221%22.png`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, max-age=31536000, immutable',
      'content-security-policy': "default-src 'none'; sandbox",
    });
    expect(await listed(desk, conversationId)).toEqual([{ ...attachment, runId: null }]);
  });

  it('a PDF inline; a text as UTF-8 plain text and any other file as bytes, both saved rather than opened', async () => {
    const desk = browser();
    const conversationId = newId();
    const html = Buffer.from('<html><script>alert(document.cookie)</script></html>');
    const files = [
      { bytes: pdf(), name: 'spec.pdf', type: 'application/pdf', kind: 'pdf', served: 'application/pdf', disposition: 'inline' },
      { bytes: html, name: 'page.html', type: 'text/html', kind: 'text', served: 'text/plain; charset=utf-8', disposition: 'attachment' },
      { bytes: executable(), name: 'tool', type: 'application/x-executable', kind: 'other', served: 'application/octet-stream', disposition: 'attachment' },
    ];
    for (const file of files) {
      const response = await upload(routes, desk, { conversationId, ...file });
      expect(response.status).toBe(201);
      const { attachment } = (await response.json()) as { attachment: { id: string; kind: string; mediaType: string } };
      expect(attachment.kind).toBe(file.kind);
      const download = await desk(routes.download, at(conversationId, attachment.id));
      expect(download.headers.get('content-type')).toBe(file.served);
      expect(download.headers.get('content-disposition')).toMatch(new RegExp(`^${file.disposition}; filename="${file.name}"`));
      expect(Buffer.from(await download.arrayBuffer()).equals(file.bytes)).toBe(true);
    }
  });
});

describe('refused uploads leave nothing behind', () => {
  it('an executable renamed .png (415), a file over the cap, declared or not (413), a bad name (400)', async () => {
    const desk = browser();
    const conversationId = newId();
    const big = Buffer.alloc(256 * 1024 + 1, 'a');
    const refusals = [
      [upload(routes, desk, { conversationId, bytes: executable(), name: 'cat.png', type: 'image/png' }), 415, 'unsupported_media_type:not_an_image'],
      [upload(routes, desk, { conversationId, bytes: big, name: 'big.log', type: 'text/plain' }), 413, 'payload_too_large:attachment'],
      [upload(routes, desk, { conversationId, bytes: Buffer.from('tiny'), name: 'liar.txt', headers: { 'content-length': String(10 * 1024 * 1024) } }), 413, 'payload_too_large:attachment'],
      [upload(routes, desk, { conversationId, bytes: Buffer.from('hi'), name: '../escape.txt' }), 400, 'bad_request:attachment_name'],
      [upload(routes, desk, { conversationId, bytes: Buffer.from('hi') }), 400, 'bad_request:attachment_name'],
      [upload(routes, desk, { conversationId, bytes: Buffer.alloc(0), name: 'empty.txt' }), 400, 'bad_request:attachment_empty'],
    ] as const;
    for (const [response, status, code] of refusals) {
      expect(await errorOf(await response)).toEqual({ status, body: { error: { code, message: expect.any(String) } } });
    }
    // Not even the conversation: it was to start with that upload.
    expect(await conversationStatus(desk, conversationId)).toBe(404);
    expect(await listed(desk, conversationId)).toEqual([]);
  });

  it('an upload cut off halfway answers 400 and saves nothing, not even its new conversation', async () => {
    const desk = browser();
    const conversationId = newId();
    const bytes = png(64, 64);
    const broken = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.subarray(0, bytes.length / 2));
        controller.error(new Error('socket hang up'));
      },
    });
    const response = await upload(routes, desk, { conversationId, bytes: broken, name: 'half.png', type: 'image/png' });
    expect(await errorOf(response)).toEqual({ status: 400, body: { error: { code: 'bad_request:body_incomplete', message: expect.any(String) } } });
    expect(await conversationStatus(desk, conversationId)).toBe(404);
    expect(await listed(desk, conversationId)).toEqual([]);
  });

  it("a message's unsent attachments stay within its count and bytes (413); taking one back makes room", async () => {
    const desk = browser();
    const conversationId = newId();
    const upTo = async (name: string, size: number) => upload(routes, desk, { conversationId, bytes: Buffer.alloc(size, 'x'), name });
    const first = (await (await upTo('a.txt', 200 * 1024)).json()) as { attachment: { id: string } };
    expect((await upTo('b.txt', 200 * 1024)).status).toBe(201);
    const overBytes = await upTo('c.txt', 200 * 1024);
    expect(await errorOf(overBytes)).toEqual({ status: 413, body: { error: { code: 'payload_too_large:message_attachments', message: expect.stringContaining('at most 512 KB together') } } });
    expect((await upTo('c.txt', 10)).status).toBe(201);
    const overCount = await errorOf(await upTo('d.txt', 10));
    expect(overCount).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large:message_attachments', message: expect.stringContaining('at most 3 attachments') } } });
    const takeBack = await desk(routes.takeBack, { method: 'DELETE', ...at(conversationId, first.attachment.id) });
    expect(await takeBack.json()).toEqual({ deleted: first.attachment.id });
    expect((await upTo('d.txt', 10)).status).toBe(201);
    expect(await listed(desk, conversationId)).toHaveLength(3);
  });
});

describe('a first upload starts its conversation', () => {
  it("counts toward the visitor's conversations today; at the cap, existing ones still take uploads", async () => {
    const desk = browser();
    const started = [newId(), newId(), newId()];
    for (const conversationId of started) {
      expect((await upload(routes, desk, { conversationId, bytes: Buffer.from('hello'), name: 'a.txt' })).status).toBe(201);
      expect(await conversationStatus(desk, conversationId)).toBe(200);
    }
    const fourth = newId();
    const refused = await upload(routes, desk, { conversationId: fourth, bytes: Buffer.from('hello'), name: 'a.txt' });
    expect(await errorOf(refused)).toMatchObject({ status: 429, body: { error: { code: 'rate_limited:conversations_per_day' } } });
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await conversationStatus(desk, fourth)).toBe(404);
    expect((await upload(routes, desk, { conversationId: started[0]!, bytes: Buffer.from('again'), name: 'b.txt' })).status).toBe(201);
  });

  it("never reaches someone else's conversation: 404, and nothing is added to it", async () => {
    const desk = browser();
    const conversationId = newId();
    await upload(routes, desk, { conversationId, bytes: Buffer.from('mine'), name: 'mine.txt' });
    const stranger = browser();
    const response = await upload(routes, stranger, { conversationId, bytes: Buffer.from('theirs'), name: 'theirs.txt' });
    expect(await errorOf(response)).toMatchObject({ status: 404, body: { error: { code: 'not_found:conversation' } } });
    expect(await listed(stranger, conversationId)).toEqual([]);
    expect(await listed(desk, conversationId)).toHaveLength(1);
  });
});
