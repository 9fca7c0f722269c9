/**
 * Claude Code's commands as the message box offers them: a message that starts with `/name` runs
 * the command. Kept apart from the server code: the composer lists them as the visitor types, and
 * the history shows them as typed.
 */
export type AgentCommand = { name: string; description: string; argumentHint: string; source: 'built-in' | 'workspace' };

/**
 * The CLI's own commands that make sense here. The others change the CLI itself (`/config`,
 * `/model`, `/clear`, `/mcp`, `/loop`, `/heapdump`…), which Tether decides for it, or act on a
 * terminal; a message naming one is refused rather than handed to the CLI.
 */
export const BUILT_IN_COMMANDS: AgentCommand[] = [
  { name: 'compact', description: 'Free up context by summarising the conversation so far', argumentHint: '[what the summary should keep]', source: 'built-in' },
  { name: 'context', description: 'Show how the context window is used', argumentHint: '', source: 'built-in' },
  { name: 'init', description: 'Look over the workspace and write a CLAUDE.md about it', argumentHint: '', source: 'built-in' },
  { name: 'code-review', description: 'Review the code for bugs', argumentHint: '[what to review]', source: 'built-in' },
  { name: 'security-review', description: 'Review the code for security problems', argumentHint: '', source: 'built-in' },
];

/**
 * The command a message starts with (`/name`, then a space or the end) and what follows it; null
 * for any other message. `/etc/hosts is wrong` is not one: a command's name ends at a space.
 */
export function commandIn(text: string): { name: string; args: string } | null {
  const match = /^\/([A-Za-z][\w:-]*)(?:\s+([\s\S]*))?$/.exec(text);
  return match ? { name: match[1]!, args: (match[2] ?? '').trim() } : null;
}

/**
 * How a workspace command's text is headed for the agent: the way the CLI heads the commands it
 * runs, plus its source, so the history shows the visitor's `/name arguments` (and not the lines
 * the CLI writes for itself, such as a model switch's `/model`).
 */
export function workspaceCommandHeading(name: string, args: string): string {
  return `<command-message>${name}</command-message>\n<command-name>/${name}</command-name>\n<command-args>${args}</command-args>\n${WORKSPACE_COMMAND_MARK}`;
}
export const WORKSPACE_COMMAND_MARK = '<command-source>workspace</command-source>';
