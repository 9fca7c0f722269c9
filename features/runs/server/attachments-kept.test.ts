/**
 * Retry, Edit and Branch keep a message's attachments, on the real Agent SDK and CLI against the
 * scripted Messages API (answering as the demo model does), with the files uploaded and served
 * through the real routes: a message sent again carries its files to the model again, and a branch
 * serves its own copies of the files its history shows, whatever becomes of the original.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsUntilEnd, startAgentTestEnv } from '@/tests/fixtures/agent-env';
import { at, attachmentRoutes, browser, upload, type Browser } from '@/tests/fixtures/attachment-routes';
import { gif3x2, pdf, png } from '@/tests/fixtures/attachment-files';
import type { ContentBlock, MessagesApi, MessagesRequest, Reply } from '@/lib/messages-api/server';
import type { Attachment } from '@/features/attachments';
import type { ChatItem } from '../../timeline/chat-items';
import type { RunEvent } from '../types';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-attachments-kept-'));
let api: MessagesApi;
let runs: typeof import('./run-manager');
let views: typeof import('./conversation-view');
let branches: typeof import('./branch');
let routes: Awaited<ReturnType<typeof attachmentRoutes>>;
let workspace: import('@/features/workspaces/server').Workspace;
let desk: Browser;
let visitorId: string;
let overloaded = false;

beforeAll(async () => {
  const { demoResponder } = await import('../../sandbox/server/demo-model');
  // A message that says "flaky" fails while `overloaded`, halfway through its answer, as a busy API does.
  const script = (request: MessagesRequest): Reply | Promise<Reply> =>
    overloaded && JSON.stringify(request.messages).includes('flaky')
      ? {
          blocks: [
            { type: 'text', text: 'A broken-off half' },
            { type: 'stream_error', errorType: 'overloaded_error', message: 'Overloaded' },
          ],
        }
      : demoResponder(request);
  api = await startAgentTestEnv({ responder: script, dataDir });
  workspace = (await import('@/features/workspaces/server')).createWorkspace({ name: 'kept' });
  runs = await import('./run-manager');
  views = await import('./conversation-view');
  branches = await import('./branch');
  routes = await attachmentRoutes();
  desk = browser('kept');
});

afterAll(async () => {
  (await import('../../agents/server/agent-pool')).closeAllProcesses();
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

/** Uploads a file as the composer does; the first upload also gives the browser its visitor. */
async function attach(conversationId: string, name: string, bytes: Buffer): Promise<Attachment> {
  const response = await upload(routes, desk, { conversationId, bytes, name });
  expect(response.status).toBe(201);
  visitorId = desk.visitorId()!;
  return ((await response.json()) as { attachment: Attachment }).attachment;
}

async function send(conversationId: string, text: string, ids: string[], replaceLast = false): Promise<RunEvent[]> {
  const info = await runs.startRun({ visitorId, workspace, conversationId, text, model: 'claude-sonnet-4-5', mode: 'build', attachments: ids, replaceLast });
  return eventsUntilEnd(runs.requireRun({ runId: info.id, visitorId, workspace: workspace.name }));
}

const status = (events: RunEvent[]) => (events.at(-1) as Extract<RunEvent, { type: 'end' }>).status;
const textOf = (events: RunEvent[]) => events.flatMap((event) => (event.type === 'text' ? [event.text] : [])).join('');
/** Every content block of the visitor's turns in the latest request to the Messages API. */
const sentBlocks = (): ContentBlock[] =>
  api.requests
    .at(-1)!
    .messages.filter((message) => message.role === 'user')
    .flatMap((message) => (typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content));
const images = () => sentBlocks().filter((block) => block.type === 'image');
const userItems = async (conversationId: string) =>
  (await views.conversationView({ visitorId, workspace, conversationId })).items.filter((item: ChatItem): item is Extract<ChatItem, { kind: 'user' }> => item.kind === 'user');
const shownFiles = async (conversationId: string) => (await userItems(conversationId)).map((item) => [item.text, (item.attachments ?? []).map(({ name }) => name)]);
const download = (conversationId: string, id: string) => desk(routes.download, at(conversationId, id));

describe('Retry and Edit keep the message’s attachments', () => {
  it('Retry after a failed answer sends the image to the Messages API again, and it becomes the new run’s', async () => {
    const conversationId = randomUUID();
    const bytes = png(1200, 800);
    const image = await attach(conversationId, 'shot.png', bytes);
    overloaded = true;
    expect(status(await send(conversationId, 'a flaky look', [image.id]))).toBe('failed');
    overloaded = false;

    const events = await send(conversationId, 'a flaky look', [image.id], true);
    expect(status(events)).toBe('completed');
    expect(events[0]).toMatchObject({ type: 'start', prompt: 'a flaky look', attachments: [image] });
    // Once: the failed message was left behind with its answer, and this one carries the image.
    expect(images()).toEqual([{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: bytes.toString('base64') } }]);
    expect(textOf(events)).toBe('I see a 1200×800 PNG.');
    expect(await shownFiles(conversationId)).toEqual([['a flaky look', ['shot.png']]]);
    const { conversationAttachments } = await import('@/features/attachments/server');
    const start = events[0] as Extract<RunEvent, { type: 'start' }>;
    expect(await conversationAttachments({ conversationId, visitorId, workspace: workspace.name })).toEqual([{ ...image, runId: start.runId }]);
  });

  it('a message of attachments alone can be retried; Edit may drop one and add another; only the replaced message’s go again', async () => {
    const conversationId = randomUUID();
    const first = await attach(conversationId, 'first.png', png(20, 10));
    await send(conversationId, 'the first', [first.id]);
    const gif = await attach(conversationId, 'tiny.gif', gif3x2);
    await send(conversationId, '', [gif.id]);

    const retried = await send(conversationId, '', [gif.id], true);
    expect(status(retried)).toBe('completed');
    expect(textOf(retried)).toBe('I see a 3×2 GIF.');
    expect(await shownFiles(conversationId)).toEqual([
      ['the first', ['first.png']],
      ['', ['tiny.gif']],
    ]);

    // An earlier message's file is not the replaced message's: refused, with nothing started.
    const requests = api.requests.length;
    await expect(runs.startRun({ visitorId, workspace, conversationId, text: 'again', model: 'claude-sonnet-4-5', mode: 'build', attachments: [first.id], replaceLast: true })).rejects.toMatchObject({
      code: 'not_found:attachment',
    });
    expect(api.requests.length).toBe(requests);

    const document = await attach(conversationId, 'spec.pdf', pdf());
    const edited = await send(conversationId, 'read this instead', [document.id], true);
    expect(status(edited)).toBe('completed');
    expect(await shownFiles(conversationId)).toEqual([
      ['the first', ['first.png']],
      ['read this instead', ['spec.pdf']],
    ]);
    expect(images().map((block) => (block.source as { media_type: string }).media_type)).toEqual(['image/png']);
    expect(sentBlocks().filter((block) => block.type === 'document')).toHaveLength(1);
  });
});

describe('a branch keeps its messages’ attachments', () => {
  it('are served under the new conversation, survive deleting the original, and go again with an Edit there', async () => {
    const original = randomUUID();
    const bytes = png(64, 48);
    const image = await attach(original, 'kept.png', bytes);
    await send(original, 'look at this', [image.id]);
    const later = await attach(original, 'later.pdf', pdf());
    await send(original, 'and this', [later.id]);

    const made = await branches.branchConversation({ actor: visitorId, visitorId, workspace, conversationId: original, keepPrompts: 1 });
    expect(await shownFiles(made.conversationId)).toEqual([['look at this', ['kept.png']]]);
    const served = await download(made.conversationId, image.id);
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);
    // What the branch left out is not its to serve.
    expect((await download(made.conversationId, later.id)).status).toBe(404);

    const deleted = await desk(routes.deleteConversation, { method: 'DELETE', url: `/api/conversations/${original}`, params: { id: original } });
    expect(deleted.status).toBe(200);
    expect((await download(original, image.id)).status).toBe(404);
    const still = await download(made.conversationId, image.id);
    expect(still.status).toBe(200);
    expect(Buffer.from(await still.arrayBuffer()).equals(bytes)).toBe(true);

    // Edit of the branch's copied message, keeping its image: the model gets the image again.
    const edited = await send(made.conversationId, 'look again', [image.id], true);
    expect(status(edited)).toBe('completed');
    expect(images()).toEqual([{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: bytes.toString('base64') } }]);
    expect(await shownFiles(made.conversationId)).toEqual([['look again', ['kept.png']]]);
  });
});
