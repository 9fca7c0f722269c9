/**
 * Sending attachments with a message, on the real Agent SDK and CLI against the scripted Messages
 * API (answering as the demo model does): what reaches the API, what is saved into the workspace,
 * what is refused before anything starts, and what the history shows after a reload.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsUntilEnd, startAgentTestEnv } from '@/tests/fixtures/agent-env';
import { executable, pdf, png, gif3x2 } from '@/tests/fixtures/attachment-files';
import type { ContentBlock, MessagesApi, MessagesRequest } from '@/lib/messages-api/server';
import type { Attachment } from '@/features/attachments';
import type { ChatItem } from '../../timeline/chat-items';
import type { AgentMode, RunEvent } from '../types';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-attachments-send-'));
let api: MessagesApi;
let runs: typeof import('./run-manager');
let views: typeof import('./conversation-view');
let attachments: typeof import('@/features/attachments/server');
let workspace: import('@/features/workspaces/server').Workspace;
const visitorId = randomUUID();

beforeAll(async () => {
  const { demoResponder } = await import('../../sandbox/server/demo-model');
  api = await startAgentTestEnv({ responder: (request) => demoResponder(request), dataDir });
  workspace = (await import('@/features/workspaces/server')).createWorkspace({ name: 'attach', files: { 'README.md': '# Attach\n' } });
  runs = await import('./run-manager');
  views = await import('./conversation-view');
  attachments = await import('@/features/attachments/server');
});

afterAll(async () => {
  (await import('../../agents/server/agent-pool')).closeAllProcesses();
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

async function attach(conversationId: string, name: string, bytes: Buffer, owner = visitorId): Promise<Attachment> {
  const req = new Request('http://127.0.0.1/upload', { method: 'POST', headers: { 'x-attachment-name': encodeURIComponent(name) }, body: new Uint8Array(bytes) });
  return attachments.saveUpload({ conversationId, visitorId: owner, workspace, upload: await attachments.readUpload(req) });
}

const start = (conversationId: string, text: string, ids: string[], mode: AgentMode = 'build') =>
  runs.startRun({ visitorId, workspace, conversationId, text, model: 'claude-sonnet-4-5', mode, attachments: ids });

async function send(conversationId: string, text: string, ids: string[], mode: AgentMode = 'build'): Promise<RunEvent[]> {
  const info = await start(conversationId, text, ids, mode);
  return eventsUntilEnd(runs.requireRun({ runId: info.id, visitorId, workspace: workspace.name }));
}

const textOf = (events: RunEvent[]) => events.flatMap((event) => (event.type === 'text' ? [event.text] : [])).join('');
/** The content blocks of the last message the API received. */
const lastMessageBlocks = (): ContentBlock[] => {
  const content = (api.requests.at(-1) as MessagesRequest).messages.at(-1)!.content;
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content;
};
// (The CLI ends the message's last text with a newline, and tells the model where it keeps a copy of each image: "[Image: source: …]".)
const texts = (blocks: ContentBlock[]) => blocks.flatMap((block) => (block.type === 'text' ? [String(block.text).trim()] : []));
const agentProcess = (conversationId: string) =>
  [...(globalThis as { tetherAgentPool?: { processes: Set<{ conversationId: string }> } }).tetherAgentPool!.processes].find((candidate) => candidate.conversationId === conversationId);
const userItems = async (conversationId: string) =>
  (await views.conversationView({ visitorId, workspace, conversationId })).items.filter((item: ChatItem): item is Extract<ChatItem, { kind: 'user' }> => item.kind === 'user');

describe('sending attachments', () => {
  const conversationId = randomUUID();
  const image = png(1200, 800);
  const document = pdf();

  it('an image, a PDF and a text file reach the Messages API as image, document and text blocks (cold)', async () => {
    const sent = [await attach(conversationId, 'shot.png', image), await attach(conversationId, 'spec.pdf', document), await attach(conversationId, 'notes.txt', Buffer.from('remember PELICAN\n'))];
    const events = await send(
      conversationId,
      'What are these?',
      sent.map(({ id }) => id),
    );
    expect(events.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
    expect(events[0]).toMatchObject({ type: 'start', prompt: 'What are these?', attachments: sent });
    const blocks = lastMessageBlocks();
    expect(blocks).toContainEqual({ type: 'image', source: { type: 'base64', media_type: 'image/png', data: image.toString('base64') } });
    expect(blocks).toContainEqual(expect.objectContaining({ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: document.toString('base64') }, title: 'spec.pdf' }));
    expect(texts(blocks)).toContain('<attached-file name="notes.txt">\nremember PELICAN\n\n</attached-file>');
    expect(texts(blocks)).toContain('What are these?');
    expect(texts(blocks).some((text) => text.startsWith('<tether-attachments>[{"id":'))).toBe(true);
    // In build mode the text file is saved too, for the agent to work on.
    expect(readFileSync(path.join(workspace.filesDir, 'attachments/notes.txt'), 'utf8')).toBe('remember PELICAN\n');
    // The demo model says what it received, read from the blocks.
    expect(textOf(events)).toBe(`I see a 1200×800 PNG. I got a PDF of ${document.length} bytes. I got the text of "notes.txt". I see attachments/notes.txt in the workspace.`);
  });

  it('a second message on the warm process sends its blocks the same way; a message may be attachments alone', async () => {
    const warm = agentProcess(conversationId);
    expect(warm).toBeDefined();
    const gif = await attach(conversationId, 'tiny.gif', gif3x2);
    const events = await send(conversationId, '', [gif.id]);
    expect(agentProcess(conversationId)).toBe(warm);
    expect(events[0]).toMatchObject({ type: 'start', prompt: '', attachments: [gif] });
    expect(lastMessageBlocks()).toContainEqual({ type: 'image', source: { type: 'base64', media_type: 'image/gif', data: gif3x2.toString('base64') } });
    expect(textOf(events)).toBe('I see a 3×2 GIF.');
  });

  it('after a reload the history shows each message with its attachments, and none of the blocks as words', async () => {
    const [first, second] = await userItems(conversationId);
    expect(first).toMatchObject({ text: 'What are these?' });
    expect(first!.attachments!.map(({ name, kind }) => `${kind} ${name}`)).toEqual(['image shot.png', 'pdf spec.pdf', 'text notes.txt']);
    expect(first!.attachments![0]).toMatchObject({ mediaType: 'image/png', width: 1200, height: 800 });
    expect(second).toMatchObject({ text: '', attachments: [expect.objectContaining({ name: 'tiny.gif' })] });
    const all = (await views.conversationView({ visitorId, workspace, conversationId })).items.map((item) => JSON.stringify(item));
    expect(all.some((item) => item.includes('PELICAN') || item.includes('<attach'))).toBe(false);
  });

  it('other files are saved under attachments/, never over one another', async () => {
    const other = randomUUID();
    const bytes = executable();
    const sent = [await attach(other, 'tool.bin', bytes), await attach(other, 'tool.bin', Buffer.concat([bytes, Buffer.from('2')]))];
    expect(sent.map(({ kind }) => kind)).toEqual(['other', 'other']);
    const events = await send(
      other,
      'Keep these.',
      sent.map(({ id }) => id),
    );
    expect(events.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
    const note = texts(lastMessageBlocks()).find((text) => text.startsWith('<attachments-saved>'))!;
    expect(note).toContain('- attachments/tool.bin (application/octet-stream');
    expect(note).toContain('- attachments/tool (2).bin (application/octet-stream');
    expect(textOf(events)).toBe('I see attachments/tool.bin, attachments/tool (2).bin in the workspace.');
    expect(readFileSync(path.join(workspace.filesDir, 'attachments/tool.bin')).equals(bytes)).toBe(true);
    expect(readFileSync(path.join(workspace.filesDir, 'attachments/tool (2).bin')).at(-1)).toBe('2'.charCodeAt(0));
  });

  it('a saved name cannot leave the folder, hide itself or follow a planted link', async () => {
    const { saveNewFile } = await import('@/features/workspaces/server');
    const outside = mkdtempSync(path.join(tmpdir(), 'tether-outside-'));
    mkdirSync(path.join(workspace.filesDir, 'attachments'), { recursive: true });
    symlinkSync(path.join(outside, 'planted.txt'), path.join(workspace.filesDir, 'attachments/planted.txt'));
    const bytes = Buffer.from('x');
    expect(saveNewFile(workspace, { folder: 'attachments', name: '../x', bytes })).toBe('attachments/_x');
    expect(saveNewFile(workspace, { folder: 'attachments', name: '../../etc/passwd', bytes })).toBe('attachments/_.._etc_passwd');
    expect(saveNewFile(workspace, { folder: 'attachments', name: '.env', bytes })).toBe('attachments/env');
    expect(saveNewFile(workspace, { folder: 'attachments', name: 'planted.txt', bytes })).toBe('attachments/planted (2).txt');
    expect(existsSync(path.join(outside, 'planted.txt'))).toBe(false);
    expect(existsSync(path.join(workspace.filesDir, '..', 'x'))).toBe(false);
  });
});

describe('attachments refused before anything starts', () => {
  it('plan mode takes images, PDFs and text, and refuses other files, saying why', async () => {
    const conversationId = randomUUID();
    const other = await attach(conversationId, 'tool.bin', executable());
    const requests = api.requests.length;
    await expect(start(conversationId, 'Look', [other.id], 'plan')).rejects.toMatchObject({ code: 'bad_request:attachment_in_plan_mode', message: expect.stringMatching(/"tool\.bin".*read-only/) });
    expect(api.requests.length).toBe(requests);
    expect((await attachments.conversationAttachments({ conversationId, visitorId, workspace: workspace.name }))[0]).toMatchObject({ id: other.id, runId: null });
    const text = await attach(conversationId, 'plan.md', Buffer.from('# Plan\n'));
    const events = await send(conversationId, 'Read it', [text.id], 'plan');
    expect(events.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
    expect(texts(lastMessageBlocks())).toContain('<attached-file name="plan.md">\n# Plan\n\n</attached-file>');
    // Plan mode writes nothing: the text file is given, not saved.
    expect(existsSync(path.join(workspace.filesDir, 'attachments/plan.md'))).toBe(false);
  });

  it('another visitor’s attachment, or one already sent, is refused with nothing started', async () => {
    const conversationId = randomUUID();
    const stranger = randomUUID();
    const theirs = await attach(randomUUID(), 'theirs.png', png(2, 2), stranger);
    const mine = await attach(conversationId, 'mine.png', png(2, 2));
    await send(conversationId, 'first', [mine.id]);
    const requests = api.requests.length;
    const shown = (await userItems(conversationId)).length;
    for (const ids of [[theirs.id], [mine.id], [randomUUID()]]) {
      await expect(start(conversationId, 'again', ids)).rejects.toMatchObject({ code: 'not_found:attachment' });
    }
    expect(api.requests.length).toBe(requests);
    expect((await userItems(conversationId)).length).toBe(shown);
    expect((await attachments.conversationAttachments({ conversationId: randomUUID(), visitorId: stranger, workspace: workspace.name })).length).toBe(0);
  });

  it('a message is not empty unless it carries attachments', async () => {
    const { sendMessageSchema } = await import('../schemas');
    const base = { model: 'claude-sonnet-4-5', mode: 'build' };
    expect(sendMessageSchema.safeParse({ ...base, text: '  ' }).success).toBe(false);
    expect(sendMessageSchema.safeParse({ ...base, text: '', attachments: [] }).success).toBe(false);
    expect(sendMessageSchema.safeParse({ ...base, text: '', attachments: [randomUUID()] }).success).toBe(true);
    const id = randomUUID();
    expect(sendMessageSchema.safeParse({ ...base, text: 'x', attachments: [id, id] }).success).toBe(false);
    expect(sendMessageSchema.safeParse({ ...base, text: 'x', attachments: ['../x'] }).success).toBe(false);
  });

  it('a message of attachments alone counts as a message of the visitor’s: a branch after it keeps it and what answered it', async () => {
    const conversationId = randomUUID();
    await send(conversationId, '', [(await attach(conversationId, 'alone.png', png(20, 10))).id]);
    await send(conversationId, 'and then words', []);
    const { branchConversation } = await import('./branch');
    const branch = await branchConversation({ actor: visitorId, visitorId, workspace, conversationId, keepPrompts: 1 });
    const kept = await userItems(branch.conversationId);
    expect(kept.map((item) => [item.text, item.attachments?.map((attachment) => attachment.name)])).toEqual([['', ['alone.png']]]);
  });
});
