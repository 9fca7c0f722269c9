import 'server-only';
import { lastToolResults, lastUserText, type MessagesRequest, type Reply, type Responder } from '@/lib/messages-api/server';
import { attachmentsAnswer } from './demo-attachments';
import { demoShape } from './demo-shapes';

/**
 * The offline demo model: answers without any API key, and uses real tools so the whole
 * path (SDK, CLI, permissions, transcript) is exercised. Deterministic on purpose.
 */
export const demoResponder: Responder = (request): Reply => {
  const shape = attachmentsAnswer(request) ?? demoShape(request);
  if (shape) return shape;
  const results = lastToolResults(request);
  const edit = editStep(request, results);
  if (edit) return edit;
  if (results.length > 0) {
    const output = results
      .map((result) => stripReminders(result.content))
      .join('\n')
      .trim();
    const body = output.split('\n').slice(0, 20).join('\n');
    return say(
      `Here is what the tool returned:\n\n\`\`\`\n${body || '(nothing)'}\n\`\`\`\n\nAsk me to read another file, or to *write notes.md*: in **build** mode the agent edits files, in **ask** mode it asks you first.`,
    );
  }
  const text = visitorWords(lastUserText(request)).trim();
  // A run continued after a server restart goes on counting from the last number it had streamed.
  const continuing = /\bserver restarted while you were working\b/i.test(text) ? countSoFar(request) : null;
  const countTo = Number((continuing?.asked ?? text).match(/\bcount to (\d{1,4})\b/i)?.[1]);
  if (countTo > 0) {
    const from = (continuing?.counted ?? 0) + 1;
    // A long, steady stream: what a slow real answer looks like, for trying Stop, reloads and restarts.
    return { blocks: [{ type: 'text_chunks', chunks: Array.from({ length: Math.max(0, countTo - from + 1) }, (_, i) => `${from + i} `) }], delayMs: 100 };
  }
  if (/\bshow a table\b/i.test(text)) {
    return say(
      'The demo files:\n\n| File | What it is |\n|---|---|\n| `README.md` | This workspace |\n| `src/greet.ts` | A greeting |\n| `notes/todo.md` | A task list |\n\n' +
        'And the list:\n\n- [x] ~~Pick a name~~\n- [ ] Invite the first users\n\n```ts\nexport const answer = 42;\n```',
    );
  }
  const command = text.match(/\brun\s+`([^`]+)`/i)?.[1] ?? text.match(/^run\s+(.+)$/i)?.[1];
  if (command) {
    if (!request.tools?.some((tool) => tool.name === 'Bash')) {
      return say(
        'This workspace does not offer a shell. An operator can create one that does with `npm run workspace -- create NAME --allow-bash`; ' +
          'its commands run in the agent sandbox, which needs bubblewrap and socat on the server.',
      );
    }
    return {
      blocks: [
        { type: 'text', text: `Running \`${command}\`.` },
        { type: 'tool_use', name: 'Bash', input: { command, description: 'Run the command the user asked for' } },
      ],
      delayMs: 15,
    };
  }
  const fileToWrite = text.match(/\bwrite\s+([\w./-]+\.\w+)\b/i)?.[1]; // a file name, not "write a poem"
  if (fileToWrite) {
    if (!request.tools?.some((tool) => tool.name === 'Write')) return say('Plan mode is read-only: switch to **ask** or **build** mode to let the agent write files.');
    const content = `# ${fileToWrite}\n\nWritten by Tether's demo model.\n`;
    return {
      blocks: [
        { type: 'text', text: `Writing \`${fileToWrite}\`.` },
        { type: 'tool_use', name: 'Write', input: { file_path: fileToWrite, content } },
      ],
      delayMs: 15,
    };
  }
  const wantsList = /\b(list|files|ls)\b/i.test(text);
  const fileToRead = text.match(/\bread\s+(\S+)/i)?.[1];
  if (fileToRead) {
    return {
      blocks: [
        { type: 'text', text: `Reading \`${fileToRead}\`.` },
        { type: 'tool_use', name: 'Read', input: { file_path: fileToRead } },
      ],
      delayMs: 15,
    };
  }
  if (wantsList) {
    return {
      blocks: [
        { type: 'text', text: 'Listing the workspace files.' },
        { type: 'tool_use', name: 'Glob', input: { pattern: '**/*' } },
      ],
      delayMs: 15,
    };
  }
  return say(
    `**Demo model.** No \`ANTHROPIC_API_KEY\` is set, so this reply comes from Tether's built-in demo model.\n\n` +
      `You said:\n\n> ${text.split('\n').join('\n> ')}\n\n` +
      `That is message ${countUserTurns(request)} from you in this session.\n\n` +
      `Try *list the files* or *read README.md* to see the agent use tools on this workspace, *run \`ls -la\`* for a shell command, *write notes.md* in ask mode to approve an edit, *edit src/greet.ts* in build mode to see its Changes and undo them, *count to 100* for a long answer, ` +
      `or *think about tides*, *plan a picnic*, *delegate a look around* and *fail mid-stream* to see thinking, a plan, a subagent and Retry.`,
  );
};

/**
 * "edit FILE" takes three turns, as a real model's edit does: Read the file (the CLI edits only
 * what was read), Edit it (append one line after its last one), then say so.
 */
function editStep(request: MessagesRequest, results: Array<{ content: string; isError: boolean }>): Reply | null {
  const file = currentPrompt(request)
    .trim()
    .match(/^edit\s+([\w./-]+\.\w+)\s*$/i)?.[1];
  if (!file) return null;
  if (!request.tools?.some((tool) => tool.name === 'Edit')) return say('Plan mode is read-only: switch to **ask** or **build** mode to let the agent edit files.');
  const lastTool = request.messages.findLast((message) => message.role === 'assistant' && Array.isArray(message.content))?.content;
  const lastToolName = Array.isArray(lastTool) ? lastTool.findLast((block) => block.type === 'tool_use')?.name : undefined;
  if (results.length === 0)
    return {
      blocks: [
        { type: 'text', text: `Reading \`${file}\` first.` },
        { type: 'tool_use', name: 'Read', input: { file_path: file } },
      ],
      delayMs: 15,
    };
  if (results.some((result) => result.isError)) return say(`That didn't work:\n\n\`\`\`\n${stripReminders(results[0]!.content).trim()}\n\`\`\``);
  if (lastToolName === 'Read') {
    // The Read result numbers its lines ("  3→text" or "  3\ttext"). The last two lines, a
    // string more likely found once in the file than the last alone, are what to extend.
    const lines = stripReminders(results[0]!.content)
      .split('\n')
      .map((line) => line.replace(/^\s*\d+(→|\t|$)/, ''));
    while (lines.length > 0 && !lines.at(-1)!.trim()) lines.pop();
    const last = lines.slice(-2).join('\n');
    if (!last.trim()) return say(`\`${file}\` is empty: ask me to *write ${file}* instead.`);
    const comment = /\.(ts|tsx|js|jsx|c|cc|go|rs|java)$/.test(file) ? '// ' : /\.(py|sh|rb|ya?ml|toml)$/.test(file) ? '# ' : '';
    const input = { file_path: file, old_string: last, new_string: `${last}\n${comment}Edited by Tether's demo model.` };
    return {
      blocks: [
        { type: 'text', text: `Adding a line to \`${file}\`.` },
        { type: 'tool_use', name: 'Edit', input },
      ],
      delayMs: 15,
    };
  }
  return say(`Edited \`${file}\`. The **Changes** below show the diff, and *Undo these changes* puts the file back.`);
}

function say(text: string): Reply {
  return { blocks: [{ type: 'text', text }], delayMs: 15 };
}

/** The prompt this turn works on: the last user text, past the tool results that followed it. */
function currentPrompt(request: MessagesRequest): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    if (request.messages[i]!.role !== 'user') continue;
    const text = visitorWords(lastUserText({ ...request, messages: request.messages.slice(0, i + 1) }));
    if (text.trim()) return text;
  }
  return '';
}

/** The last "count to N" the visitor asked for in this session, and the highest number answered to it so far (0: none). */
function countSoFar(request: MessagesRequest): { asked: string; counted: number } {
  const textOf = (message: MessagesRequest['messages'][number]) => (typeof message.content === 'string' ? message.content : message.content.map((block) => String(block.text ?? '')).join(' '));
  const at = request.messages.findLastIndex((message) => message.role === 'user' && /\bcount to \d/i.test(lastUserText({ ...request, messages: [message] })));
  if (at === -1) return { asked: '', counted: 0 };
  const said = request.messages
    .slice(at + 1)
    .filter((message) => message.role === 'assistant')
    .map(textOf);
  return { asked: lastUserText({ ...request, messages: [request.messages[at]!] }), counted: Math.max(0, ...said.flatMap((text) => text.match(/\d+/g) ?? []).map(Number)) };
}

/** How many prompts the request carries: proof that a resumed session sent the earlier turns. */
function countUserTurns(request: MessagesRequest): number {
  // System reminders, the CLI's "[Request interrupted by user]" markers and a continuation's word to the agent are not prompts.
  const isPrompt = (text: string) => !text.startsWith('<') && !text.startsWith('[Request interrupted') && !/\bserver restarted while you were working\b/i.test(text);
  return request.messages.filter(
    (message) => message.role === 'user' && (typeof message.content === 'string' ? isPrompt(message.content) : message.content.some((block) => block.type === 'text' && isPrompt(String(block.text)))),
  ).length;
}

/** A message's text without the note Tether puts before it after an Undo (features/changes/server/undo-note.ts). */
function visitorWords(text: string): string {
  return text.replace(/<changes-undone>[\s\S]*?<\/changes-undone>\n?/g, '');
}

function stripReminders(text: string): string {
  return text.replace(/<system-reminder>[\s\S]*?<\/system-reminder>/g, '');
}
