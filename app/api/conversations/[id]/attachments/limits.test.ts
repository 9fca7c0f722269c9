/**
 * What uploads may take, through the real route handlers on PGlite: each visitor's daily allowance
 * (429 past it, and only uploads that are saved count), and the workspace's disk quota, which its
 * attachments and its image's files share (413 past it) on a real loop-mounted image; a workspace
 * without a quota (the server could not mount its image) holds uploads to the allowance only.
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachmentRoutes, browser, newId, upload, type Browser } from '@/tests/fixtures/attachment-routes';
import { executable } from '@/tests/fixtures/attachment-files';

const KIB = 1024;
const MB = 1024 * KIB;

let routes: Awaited<ReturnType<typeof attachmentRoutes>>;
let workspaces: typeof import('@/features/workspaces/server');

beforeAll(async () => {
  Object.assign(process.env, {
    TETHER_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tether-attachment-limits-')),
    LOG_LEVEL: 'error',
    TETHER_WORKSPACE_QUOTA_MB: '16',
    TETHER_ATTACHMENT_MAX_MB: '0.5',
    TETHER_ATTACHMENTS_MAX_MB_PER_MESSAGE: '2',
    TETHER_ATTACHMENTS_PER_MESSAGE: '5',
    TETHER_ATTACHMENT_MB_PER_VISITOR_PER_DAY: '1',
  });
  workspaces = await import('@/features/workspaces/server');
  workspaces.ensureDemoWorkspace();
  routes = await attachmentRoutes();
});
afterAll(async () => (await import('@/lib/db/connection')).closeDb());

const file = (as: Browser, conversationId: string, size: number, name = 'notes.log') => upload(routes, as, { conversationId, bytes: Buffer.alloc(size, 'x'), name });
const errorOf = async (response: Response) => ({ status: response.status, body: (await response.json()) as { error: { code: string; message: string } } });
const conversationStatus = async (as: Browser, id: string) => (await as(routes.conversation, { url: `/api/conversations/${id}`, params: { id } })).status;

describe("a visitor's daily allowance of attachments", () => {
  it('refuses the upload that passes it with 429, naming the allowance and when it frees up; another visitor goes on', async () => {
    const desk = browser();
    const conversationId = newId();
    expect((await file(desk, conversationId, 512 * KIB)).status).toBe(201);
    expect((await file(desk, conversationId, 500 * KIB)).status).toBe(201);
    const fresh = newId();
    const refused = await file(desk, fresh, 20 * KIB);
    expect(await errorOf(refused)).toEqual({
      status: 429,
      body: {
        error: {
          code: 'rate_limited:attachment_bytes',
          message: expect.stringMatching(
            /^This file would take you past 1 MB of attachments today, the most one visitor may upload in a day\. Try again in \d+ (s|min|h), or attach a smaller file\.$/,
          ),
        },
      },
    });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Refused before anything was started: not even the conversation it was to begin.
    expect(await conversationStatus(desk, fresh)).toBe(404);
    expect((await file(browser(), newId(), 512 * KIB)).status).toBe(201);
  });

  it("counts nothing for a refused upload: a fake image, one past the message, one into a stranger's conversation", async () => {
    const desk = browser();
    const conversationId = newId();
    for (let i = 0; i < 5; i++) expect((await file(desk, conversationId, 1)).status).toBe(201);
    expect((await file(desk, conversationId, 400 * KIB)).status).toBe(413); // a sixth: past the message's count
    expect((await upload(routes, desk, { conversationId, bytes: executable(), name: 'cat.png', type: 'image/png' })).status).toBe(415);
    const stranger = browser();
    const theirs = newId();
    expect((await file(stranger, theirs, 1)).status).toBe(201);
    expect((await file(desk, theirs, 500 * KIB)).status).toBe(404);
    // Only the five saved bytes counted (a KiB each): the rest of the MiB is still there, to the KiB.
    const next = newId();
    expect((await file(desk, next, 512 * KIB)).status).toBe(201);
    expect((await file(desk, next, 507 * KIB)).status).toBe(201);
    expect((await file(desk, next, 1)).status).toBe(429);
  });
});

/** Writes `bytes` of zeros to `target` and waits until they are on the disk, so the free space stays put. */
function fill(target: string, bytes: number) {
  const fd = openSync(target, 'w');
  const chunk = Buffer.alloc(MB);
  try {
    for (let written = 0; written < bytes;) written += writeSync(fd, chunk, 0, Math.min(MB, bytes - written));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
const freeOn = (dir: string) => statfsSync(dir).bavail * statfsSync(dir).bsize;

describe("the workspace's disk quota", () => {
  it("refuses with 413 an upload that would take the workspace's files and attachments past it; deleting a conversation makes room", async () => {
    const full = workspaces.createWorkspace({ name: 'full' });
    expect(full.diskQuotaBytes).toBe(16 * MB);
    fill(path.join(full.filesDir, 'filler.bin'), freeOn(full.filesDir) - 700 * KIB);
    const room = freeOn(full.filesDir);
    expect(room).toBeGreaterThan(464 * KIB);
    expect(room).toBeLessThan(848 * KIB);

    const [desk, phone] = [browser('full'), browser('full')];
    const first = newId();
    expect((await file(desk, first, 400 * KIB)).status).toBe(201);
    // Another visitor's upload shares the same room: what is left, give or take 64 KiB.
    const left = room - 400 * KIB;
    const refusedIn = newId();
    const refused = await errorOf(await file(phone, refusedIn, left + 64 * KIB, 'big.log'));
    expect(refused).toEqual({
      status: 413,
      body: {
        error: {
          code: 'payload_too_large:workspace_full',
          message: expect.stringMatching(
            /^This workspace's space is used up: its files and attachments take \d+ MB of its 16 MB, so "big\.log" \(\d+ KB\) doesn't fit\. Delete conversations you no longer need, or some of the workspace's files, then attach it again\.$/,
          ),
        },
      },
    });
    expect(await conversationStatus(phone, refusedIn)).toBe(404);
    expect((await file(phone, newId(), left - 64 * KIB)).status).toBe(201);
    expect((await file(phone, newId(), 128 * KIB)).status).toBe(413);

    const deleted = await desk(routes.deleteConversation, { method: 'DELETE', url: `/api/conversations/${first}`, params: { id: first } });
    expect(deleted.status).toBe(200);
    expect((await file(phone, newId(), 128 * KIB)).status).toBe(201);
  });

  it("holds a workspace without a quota (the server can't mount its image) to the visitor's allowance only", async () => {
    (globalThis as { tetherImageSupport?: unknown }).tetherImageSupport = { supported: false, reason: 'no loop devices (test)' };
    const plain = workspaces.createWorkspace({ name: 'plain' });
    expect(plain.diskQuotaBytes).toBeUndefined();
    // More than any quota here would hold: without one it is not counted.
    fill(path.join(plain.filesDir, 'filler.bin'), 20 * MB);
    const desk = browser('plain');
    const conversationId = newId();
    expect((await file(desk, conversationId, 512 * KIB)).status).toBe(201);
    expect((await file(desk, conversationId, 512 * KIB)).status).toBe(201);
    expect(await errorOf(await file(desk, conversationId, 1))).toMatchObject({ status: 429, body: { error: { code: 'rate_limited:attachment_bytes' } } });
  });
});
