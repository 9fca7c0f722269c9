/**
 * Commands typed in the message box, on the real Agent SDK and CLI against the scripted Messages
 * API: the CLI's own that are offered run in it, a workspace's `.claude/commands/*.md` are sent
 * with their arguments put in, and any other command is refused before anything starts.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsUntilEnd, startAgentTestEnv } from '@/tests/fixtures/agent-env';
import { lastUserText, type MessagesApi, type MessagesRequest, type Reply } from '@/lib/messages-api/server';
import type { ChatItem } from '../../timeline/chat-items';
import type { RunEvent } from '../types';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-commands-'));
let api: MessagesApi;
let runs: typeof import('./run-manager');
let views: typeof import('./conversation-view');
let commands: typeof import('./commands');
let workspace: import('@/features/workspaces/server').Workspace;
const visitorId = randomUUID();

const script = (request: MessagesRequest): Reply => ({ blocks: [{ type: 'text', text: `You said: ${lastUserText(request).slice(0, 200)}` }] });

beforeAll(async () => {
  api = await startAgentTestEnv({ responder: script, dataDir });
  workspace = (await import('@/features/workspaces/server')).createWorkspace({
    name: 'commands',
    files: {
      '.claude/commands/greet.md': '---\ndescription: Greet someone warmly\nargument-hint: <name>\n---\nSay hello to $ARGUMENTS warmly, and spell $1 backwards.\n',
      '.claude/commands/plain.md': 'Summarise the README in three lines.\n',
      '.claude/commands/notes.txt': 'not a command',
    },
  });
  // A command file that leads out of the workspace is neither listed nor read.
  symlinkSync('/etc/passwd', path.join(workspace.filesDir, '.claude/commands/leak.md'));
  runs = await import('./run-manager');
  views = await import('./conversation-view');
  commands = await import('./commands');
});

afterAll(async () => {
  (await import('../../agents/server/agent-pool')).closeAllProcesses();
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

async function send(conversationId: string, text: string): Promise<RunEvent[]> {
  const info = await runs.startRun({ visitorId, workspace, conversationId, text, model: 'claude-sonnet-4-5', mode: 'build' });
  return eventsUntilEnd(runs.requireRun({ runId: info.id, visitorId, workspace: workspace.name }));
}
const textOf = (events: RunEvent[]) => events.flatMap((event) => (event.type === 'text' ? [event.text] : [])).join('');
const shown = async (conversationId: string) =>
  (await views.conversationView({ visitorId, workspace, conversationId })).items.flatMap((item: ChatItem) =>
    item.kind === 'user' || item.kind === 'assistant' || item.kind === 'notice' ? [`${item.kind}: ${item.text.slice(0, 60)}`] : [],
  );

describe('commands', () => {
  it('lists the offered built-in commands and the workspace’s own, with their descriptions', () => {
    const listed = commands.offeredCommands(workspace);
    expect(listed.map((command) => `${command.source} /${command.name}`)).toEqual([
      'built-in /compact',
      'built-in /context',
      'built-in /init',
      'built-in /code-review',
      'built-in /security-review',
      'workspace /greet',
      'workspace /plain',
    ]);
    expect(listed.find((command) => command.name === 'greet')).toMatchObject({ description: 'Greet someone warmly', argumentHint: '<name>' });
    expect(listed.find((command) => command.name === 'plain')?.description).toBe('Summarise the README in three lines.');
  });

  it('every offered built-in command is one the CLI knows', async () => {
    const conversationId = randomUUID();
    await send(conversationId, 'hello');
    const pool = (globalThis as { tetherAgentPool?: { processes: Set<{ conversationId: string; query: { supportedCommands(): Promise<Array<{ name: string }>> } }> } }).tetherAgentPool!;
    const process = [...pool.processes].find((candidate) => candidate.conversationId === conversationId)!;
    const known = new Set((await process.query.supportedCommands()).map((command) => command.name));
    for (const { name } of (await import('@/features/agents/vocabulary')).BUILT_IN_COMMANDS) expect(known, name).toContain(name);
  });

  it('a workspace command is sent with its arguments put in, and the history shows it as typed', async () => {
    const conversationId = randomUUID();
    const events = await send(conversationId, '/greet Ana');
    expect(events.at(-1)).toMatchObject({ type: 'end', status: 'completed' });
    const sent = lastUserText(api.requests.at(-1)!);
    expect(sent).toContain('Say hello to Ana warmly, and spell Ana backwards.');
    expect(sent).not.toContain('description:');
    expect((await shown(conversationId))[0]).toBe('user: /greet Ana');
  });

  it('/compact runs in the CLI: the conversation says it was summarised, and the history shows the command', async () => {
    const conversationId = randomUUID();
    await send(conversationId, 'remember PELICAN');
    const events = await send(conversationId, '/compact');
    expect(events.filter((event) => event.type === 'notice').map((event) => (event as { message: string }).message)).toEqual(['Earlier messages were summarised to free up context.']);
    expect(await shown(conversationId)).toContain('user: /compact');
  });

  it('/context shows what the CLI answers; the history keeps the command', async () => {
    const conversationId = randomUUID();
    await send(conversationId, 'hello');
    const events = await send(conversationId, '/context');
    expect(textOf(events)).toContain('Context Usage');
    expect(textOf(events)).not.toContain('local-command-stdout');
    // (The CLI keeps a command's own output out of the session's messages: a reload shows the command.)
    expect(await shown(conversationId)).toEqual(['user: hello', 'assistant: You said: hello', 'user: /context']);
  });

  it('any other command is refused before anything starts; a message that only starts with a slash is sent as it is', async () => {
    const conversationId = randomUUID();
    const requests = api.requests.length;
    for (const text of ['/clear', '/model claude-opus-4-1', '/loop 1m say hi', '/leak', '/Compact']) {
      await expect(runs.startRun({ visitorId, workspace, conversationId, text, model: 'claude-sonnet-4-5', mode: 'build' })).rejects.toMatchObject({ code: 'bad_request:unknown_command' });
    }
    expect(api.requests.length).toBe(requests);
    expect(textOf(await send(conversationId, '/etc/hosts is wrong'))).toBe('You said: /etc/hosts is wrong');
  });
});
