import 'server-only';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import type { ToolCallDescription } from './approvals';

/** A diff or command larger than this is cut: the card must stay readable, and events stay small. */
const MAX_DETAIL_CHARS = 20_000;
/** Files larger than this aren't read to compute a diff: the card shows the edit alone. */
const MAX_DIFF_FILE_BYTES = 1024 * 1024;

/**
 * What a tool call would do, for a person deciding whether to allow it: a short summary that
 * fits a notification ("edit src/greet.ts", "run npm test") and the detail the card shows (the
 * unified diff a Write or Edit would apply, the whole command, the URL).
 */
export function describeToolCall({
  tool,
  input,
  workspaceDir,
  agentWorkspaceDir,
}: {
  tool: string;
  input: Record<string, unknown>;
  /** The workspace's real path on this machine (the tool guard has checked the call stays inside it). */
  workspaceDir: string;
  /** The same folder as the agent sees it. */
  agentWorkspaceDir: string;
}): ToolCallDescription {
  const text = (key: string) => (typeof input[key] === 'string' ? (input[key] as string) : '');
  switch (tool) {
    case 'Edit':
    case 'Write':
    case 'NotebookEdit': {
      const agentPath = text('file_path') || text('notebook_path');
      const relative = path.relative(agentWorkspaceDir, path.resolve(agentWorkspaceDir, agentPath)) || agentPath;
      const file = path.join(workspaceDir, relative);
      const before = readSmallFile(file);
      const verb = tool !== 'Write' ? 'edit' : existsSync(file) ? 'overwrite' : 'create';
      return { summary: `${verb} ${short(relative)}`, detail: cut(diffOf({ tool, input, relative, before })) };
    }
    case 'Bash':
      return { summary: `run ${short(oneLine(text('command')))}`, detail: cut([text('description') && `# ${text('description')}`, text('command')].filter(Boolean).join('\n')) };
    case 'WebFetch':
      return { summary: `fetch ${short(text('url'))}`, detail: cut([text('url'), text('prompt')].filter(Boolean).join('\n\n')) };
    case 'WebSearch':
      return { summary: `search the web for “${short(text('query'))}”`, detail: null };
    default:
      return { summary: `use ${tool}`, detail: cut(JSON.stringify(input, null, 2)) };
  }
}

function diffOf({ tool, input, relative, before }: { tool: string; input: Record<string, unknown>; relative: string; before: string | null }): string {
  const old = before ?? '';
  let after: string;
  if (tool === 'Write') {
    after = String(input.content ?? '');
  } else if (tool === 'Edit' && typeof input.old_string === 'string' && typeof input.new_string === 'string' && old.includes(input.old_string) && input.old_string) {
    after = input.replace_all === true ? old.split(input.old_string).join(input.new_string) : old.replace(input.old_string, () => input.new_string as string);
  } else if (tool === 'Edit') {
    // The text to replace isn't in the file (the edit will fail) or the file is unreadable: show the edit itself.
    const line = (value: unknown) => `${String(value ?? '').replace(/\n$/, '')}\n`; // fragments, not files: no "No newline" markers
    return createTwoFilesPatch(`a/${relative}`, `b/${relative}`, line(input.old_string), line(input.new_string), undefined, undefined, { context: 0 });
  } else {
    return JSON.stringify(input, null, 2);
  }
  return createTwoFilesPatch(before === null ? '/dev/null' : `a/${relative}`, `b/${relative}`, old, after, undefined, undefined, { context: 3 });
}

function readSmallFile(file: string): string | null {
  try {
    if (statSync(file).size > MAX_DIFF_FILE_BYTES) return null;
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

const oneLine = (value: string) => value.replace(/\s+/g, ' ').trim();
const short = (value: string) => (value.length > 80 ? `${value.slice(0, 79)}…` : value);
const cut = (value: string) => (value.length > MAX_DETAIL_CHARS ? `${value.slice(0, MAX_DETAIL_CHARS)}\n… (cut: ${value.length - MAX_DETAIL_CHARS} more characters)` : value);
