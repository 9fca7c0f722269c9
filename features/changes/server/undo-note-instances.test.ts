/**
 * The note of an Undo crosses instances: two processes with the server's real start-up
 * (tests/fixtures/instance-process.ts), each on its own data folder, on one real PostgreSQL, with
 * transcripts in the database. A run and its Undo on A; the conversation's next message, sent to B,
 * reaches the model with the note, and the one after that (on A again) without it.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unmountUnder } from '@/lib/mounts';
import { lastToolResults, lastUserText, startMessagesApi, type MessagesApi, type MessagesRequest, type Reply } from '@/lib/messages-api/server';
import { startInstance, type Instance } from '@/tests/fixtures/instance-process';
import { scratchPostgres } from '@/tests/fixtures/scratch-services';
import type { RunEvent } from '../../runs/types';

const root = mkdtempSync(path.join(tmpdir(), 'tether-undo-note-instances-'));
const visitorId = randomUUID();
let api: MessagesApi;
let postgres: Awaited<ReturnType<typeof scratchPostgres>>;
const running: Instance[] = [];

/** `write NAME` makes the agent write the file; after the tool result, or for anything else, it says "done". */
function script(request: MessagesRequest): Reply {
  const name = lastToolResults(request).length > 0 ? undefined : lastUserText(request).match(/^write (\S+)$/)?.[1];
  return { blocks: [name ? { type: 'tool_use', name: 'Write', input: { file_path: name, content: 'written\n' } } : { type: 'text', text: 'done' }] };
}

beforeAll(async () => {
  postgres = await scratchPostgres('tether_undo_note');
  api = await startMessagesApi({ responder: script });
});

afterAll(async () => {
  await Promise.all(running.splice(0).map((instance) => instance.kill('SIGKILL')));
  await api?.close();
  await postgres?.release();
  unmountUnder(root);
});

async function instance(): Promise<Instance> {
  const started = await startInstance({
    TETHER_DATA_DIR: mkdtempSync(path.join(root, 'data-')),
    DATABASE_URL: postgres.url,
    TETHER_TRANSCRIPTS: 'database',
    ANTHROPIC_API_KEY: 'test-key',
    ANTHROPIC_BASE_URL: api.url,
    TETHER_AGENT_MAX_RETRIES: '0',
    TETHER_BASE_DOMAIN: 'localhost',
    LOG_LEVEL: 'warn',
  });
  running.push(started);
  return started;
}

/** The texts of the model's first request carrying `text`, of its last user message (without the CLI's reminders). */
function sentWith(text: string, from: number): string[] {
  const request = api.requests.slice(from).find((sent) => lastUserText(sent).includes(text));
  const last = request?.messages.findLast((message) => message.role === 'user');
  if (!last) throw new Error(`no request carried ${JSON.stringify(text)}`);
  const texts = typeof last.content === 'string' ? [last.content] : last.content.flatMap((block) => (block.type === 'text' ? [String(block.text)] : []));
  return texts.filter((said) => !said.startsWith('<system-reminder>'));
}

describe('the note of an Undo, across instances', () => {
  it('undone on A, the next message on B is told, and the one after it on A is not', async () => {
    const [a, b] = [await instance(), await instance()];
    const conversationId = randomUUID();
    const events = await a.send({ visitorId, conversationId, text: 'write notes.md', mode: 'build' });
    expect(events.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
    const { runId } = events[0] as Extract<RunEvent, { type: 'start' }>;
    expect(await a.undo({ visitorId, runId })).toEqual({ runId, paths: ['notes.md'] });

    let from = api.requests.length;
    expect(await b.send({ visitorId, conversationId, text: 'what now?' })).toContainEqual(expect.objectContaining({ type: 'end', status: 'completed' }));
    expect(sentWith('what now?', from)).toEqual(['<changes-undone>\nThe user undid your changes to: notes.md (they are back as they were before that run).\n</changes-undone>', 'what now?']);
    from = api.requests.length;
    await a.send({ visitorId, conversationId, text: 'and then?' });
    expect(sentWith('and then?', from)).toEqual(['and then?']);
    const view = await a.view({ visitorId, conversationId });
    expect(view.items.flatMap((item) => (item.kind === 'user' ? [item.text] : []))).toEqual(['write notes.md', 'what now?', 'and then?']);
  });
});
