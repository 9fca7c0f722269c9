/**
 * Retry and Edit: a message that takes the place of the conversation's last one, on the real
 * Agent SDK and CLI against the scripted Messages API. The session is resumed from just before
 * the replaced message, so the model never sees it or its answer again, and neither does the history.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsUntilEnd, startAgentTestEnv } from '@/tests/fixtures/agent-env';
import { lastUserText, type MessagesApi, type MessagesRequest, type Reply } from '@/lib/messages-api/server';
import type { ChatItem } from '../../timeline/chat-items';
import type { RunEvent } from '../types';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-replace-'));
let api: MessagesApi;
let runs: typeof import('./run-manager');
let views: typeof import('./conversation-view');
let workspace: import('@/features/workspaces/server').Workspace;
const visitorId = randomUUID();
let overloaded = true;

function script(request: MessagesRequest): Reply {
  const prompt = lastUserText(request);
  if (JSON.stringify(request.messages).includes('flaky') && overloaded) {
    return {
      blocks: [
        { type: 'text', text: 'A broken-off half' },
        { type: 'stream_error', errorType: 'overloaded_error', message: 'Overloaded' },
      ],
    };
  }
  return { blocks: [{ type: 'text', text: `You said: ${prompt}` }] };
}

beforeAll(async () => {
  api = await startAgentTestEnv({ responder: script, dataDir });
  workspace = (await import('@/features/workspaces/server')).createWorkspace({ name: 'replace' });
  runs = await import('./run-manager');
  views = await import('./conversation-view');
});

afterAll(async () => {
  (await import('../../agents/server/agent-pool')).closeAllProcesses();
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

/** Sends `text`; resolves at the run's end, with the pid of the agent process that ran it. */
async function sendOn(conversationId: string, text: string, { replaceLast = false, model = 'claude-sonnet-4-5' } = {}): Promise<{ events: RunEvent[]; pid: number }> {
  const info = await runs.startRun({ visitorId, workspace, conversationId, text, model, mode: 'build', replaceLast });
  const run = runs.requireRun({ runId: info.id, visitorId, workspace: workspace.name });
  let pid = 0;
  const events = await eventsUntilEnd(run, () => (pid ||= run.process?.pid ?? 0));
  return { events, pid };
}
const send = async (conversationId: string, text: string, replaceLast = false) => (await sendOn(conversationId, text, { replaceLast })).events;

/** The CLI processes on this machine (what /proc shows running the agent's binary). */
const cliProcesses = () =>
  readdirSync('/proc').filter((entry) => {
    try {
      return /^\d+$/.test(entry) && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('claude');
    } catch {
      return false;
    }
  });

const status = (events: RunEvent[]) => (events.at(-1) as Extract<RunEvent, { type: 'end' }>).status;
/** The history, as the kinds and words a reader sees. */
const shown = async (conversationId: string) =>
  (await views.conversationView({ visitorId, workspace, conversationId })).items.map((item: ChatItem) =>
    item.kind === 'user' || item.kind === 'assistant' || item.kind === 'notice' ? `${item.kind}: ${item.text}` : item.kind === 'run_end' ? `end: ${item.status}` : item.kind,
  );
/** The prompts and answers the model was sent in the latest request. */
const lastRequestWords = () =>
  api.requests.at(-1)!.messages.map((message) => `${message.role}: ${message.role === 'user' ? lastUserText({ ...api.requests.at(-1)!, messages: [message] }) : JSON.stringify(message.content)}`);

describe('a message that replaces the last one', () => {
  it('Retry after a failed answer runs the message again from before it: the failure leaves the history and the model never sees it', async () => {
    const conversationId = randomUUID();
    expect(status(await send(conversationId, 'hello one'))).toBe('completed');
    overloaded = true;
    expect(status(await send(conversationId, 'a flaky question'))).toBe('failed');
    overloaded = false;
    expect(status(await send(conversationId, 'a flaky question', true))).toBe('completed');

    const words = lastRequestWords();
    expect(words.filter((line) => line.startsWith('user: ') && !line.startsWith('user: <'))).toEqual(['user: hello one', 'user: a flaky question']);
    expect(words.join('\n')).not.toContain('broken-off');
    expect(await shown(conversationId)).toEqual([
      'user: hello one',
      'assistant: You said: hello one',
      'end: completed',
      'user: a flaky question',
      'assistant: You said: a flaky question',
      'end: completed',
    ]);
  });

  it('Edit resends the last message changed: the old one and its answer are gone, the turns before stay', async () => {
    const conversationId = randomUUID();
    await send(conversationId, 'first');
    await send(conversationId, 'second');
    expect(status(await send(conversationId, 'second, edited', true))).toBe('completed');
    expect(await shown(conversationId)).toEqual(['user: first', 'assistant: You said: first', 'end: completed', 'user: second, edited', 'assistant: You said: second, edited', 'end: completed']);
    // A follow-up goes on from the edited turn.
    await send(conversationId, 'third');
    const prompts = lastRequestWords().filter((line) => line.startsWith('user: ') && !line.startsWith('user: <'));
    expect(prompts).toEqual(['user: first', 'user: second, edited', 'user: third']);
  });

  it('replacing the only message starts the session afresh', async () => {
    const conversationId = randomUUID();
    await send(conversationId, 'only');
    expect(status(await send(conversationId, 'only, again', true))).toBe('completed');
    expect(await shown(conversationId)).toEqual(['user: only, again', 'assistant: You said: only, again', 'end: completed']);
    expect(lastRequestWords().filter((line) => line.startsWith('user: ') && !line.startsWith('user: <'))).toEqual(['user: only, again']);
  });
});

describe('switching the model of a warm conversation', () => {
  it('the warm agent process takes the new model: no new CLI, and the next request asks for it', async () => {
    const conversationId = randomUUID();
    const first = await sendOn(conversationId, 'on sonnet');
    expect(api.requests.at(-1)!.model).toBe('claude-sonnet-4-5');
    const before = cliProcesses();
    const second = await sendOn(conversationId, 'on haiku', { model: 'claude-haiku-4-5' });
    expect(second.events.filter((event) => event.type === 'error')).toEqual([]);
    expect(status(second.events)).toBe('completed');
    expect(api.requests.at(-1)!.model).toBe('claude-haiku-4-5');
    expect(second.pid).toBe(first.pid);
    expect(existsSync(`/proc/${first.pid}`)).toBe(true);
    expect(cliProcesses().sort()).toEqual(before.sort());
    // The session went on: the haiku turn saw the sonnet one.
    const sent = JSON.stringify(api.requests.at(-1)!.messages);
    expect(sent).toContain('on sonnet');
    expect(sent).toContain('on haiku');
    // The switch shows nowhere as a message of the visitor's.
    const shown = (await views.conversationView({ visitorId, workspace, conversationId })).items.flatMap((item) => (item.kind === 'user' ? [item.text] : []));
    expect(shown).toEqual(['on sonnet', 'on haiku']);
  });
});
