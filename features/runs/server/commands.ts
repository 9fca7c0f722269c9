import 'server-only';
import { listFolder, readFileForViewer, type Workspace } from '@/features/workspaces/server';
import { AppError } from '@/lib/errors';
import { BUILT_IN_COMMANDS, commandIn, workspaceCommandHeading, type AgentCommand } from '@/features/agents/vocabulary';

/** Where a workspace keeps its own commands, as Claude Code does (`/name` runs `name.md`). */
const COMMANDS_FOLDER = '.claude/commands';
/** At most this many of a workspace's commands are offered. */
const MAX_WORKSPACE_COMMANDS = 100;
const MAX_DESCRIPTION_CHARS = 200;

/**
 * The commands offered in the workspace: the CLI's that make sense here, then the workspace's
 * own `.claude/commands/*.md`. Those are read by Tether, confined to the workspace like the
 * Files panel (a link out is not followed), and never loaded into the CLI: loading the
 * workspace's settings would load its hooks too, commands that run outside the tools' checks.
 */
export function offeredCommands(workspace: Workspace): AgentCommand[] {
  return [...BUILT_IN_COMMANDS, ...workspaceCommands(workspace).map(({ command }) => command)];
}

type WorkspaceCommand = { command: AgentCommand; body: string };

function workspaceCommands(workspace: Workspace): WorkspaceCommand[] {
  let names: string[];
  try {
    names = listFolder(workspace, COMMANDS_FOLDER)
      .entries.filter((entry) => entry.type === 'file' && entry.name.endsWith('.md'))
      .map((entry) => entry.name.slice(0, -'.md'.length));
  } catch {
    return []; // no such folder (or it leads out of the workspace)
  }
  const builtIn = new Set(BUILT_IN_COMMANDS.map((command) => command.name));
  return names
    .filter((name) => /^[A-Za-z][\w-]*$/.test(name) && !builtIn.has(name))
    .slice(0, MAX_WORKSPACE_COMMANDS)
    .flatMap((name) => {
      let text: string | null;
      try {
        text = readFileForViewer(workspace, `${COMMANDS_FOLDER}/${name}.md`).text; // null: binary or too large
      } catch {
        return []; // gone since it was listed
      }
      if (text === null) return [];
      const { fields, body } = frontMatter(text);
      const description = (fields.description ?? body.split('\n').find((line) => line.trim()) ?? '').trim().slice(0, MAX_DESCRIPTION_CHARS);
      return [{ command: { name, description, argumentHint: fields['argument-hint'] ?? '', source: 'workspace' as const }, body }];
    });
}

/** A command file's `---` header (`key: value` lines) and the text after it. */
function frontMatter(text: string): { fields: Record<string, string>; body: string } {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (!match) return { fields: {}, body: text };
  const fields: Record<string, string> = {};
  for (const line of match[1]!.split(/\r?\n/)) {
    const field = /^([\w-]+):\s*(.*)$/.exec(line);
    if (field) fields[field[1]!] = field[2]!.replace(/^["']|["']$/g, '');
  }
  return { fields, body: match[2]! };
}

/**
 * What the agent is sent for the visitor's message: the message itself, a built-in command as
 * typed (the CLI runs it), or a workspace command's text with its arguments put in
 * (`$ARGUMENTS`, `$1`…), headed the way the CLI heads the commands it runs, so the history shows
 * it as the command typed. A message naming any other command is refused: the CLI would run
 * its own commands that Tether keeps from visitors.
 */
export function commandPrompt(workspace: Workspace, text: string): string {
  const command = commandIn(text);
  if (!command || BUILT_IN_COMMANDS.some(({ name }) => name === command.name)) return text;
  const own = workspaceCommands(workspace).find(({ command: { name } }) => name === command.name);
  if (!own) {
    const names = offeredCommands(workspace).map(({ name }) => `/${name}`);
    throw new AppError(
      'bad_request:unknown_command',
      `/${command.name} is not a command here. The commands are ${names.join(', ')}. To send a message that starts with a slash, begin it with another word.`,
    );
  }
  const words = command.args.split(/\s+/).filter(Boolean);
  const body = own.body.replaceAll('$ARGUMENTS', command.args).replace(/\$(\d+)/g, (_, index: string) => words[Number(index) - 1] ?? '');
  return `${workspaceCommandHeading(command.name, command.args)}\n\n${body.trim()}`;
}
