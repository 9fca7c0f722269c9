import 'server-only';
import path from 'node:path';

/** A short human label for what a tool call acts on: a workspace-relative path, a pattern, a command. */
export function toolTarget(input: unknown, workspaceDir: string): string | null {
  if (typeof input !== 'object' || input === null) return null;
  const fields = input as Record<string, unknown>;
  // (`description`: what a subagent was given to do.)
  for (const key of ['file_path', 'notebook_path', 'path', 'pattern', 'command', 'url', 'query', 'description']) {
    const value = fields[key];
    if (typeof value !== 'string' || !value) continue;
    const isPath = key.endsWith('path');
    const label = isPath && path.isAbsolute(value) ? relativeIfInside(value, workspaceDir) : value;
    return label.length > 120 ? `${label.slice(0, 117)}…` : label;
  }
  return null;
}

function relativeIfInside(value: string, workspaceDir: string): string {
  const relative = path.relative(workspaceDir, value);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : value;
}

/** A tool result's text, from a string or its text parts, without the CLI's system reminders. */
export function contentText(content: unknown): string {
  const text = typeof content === 'string' ? content : Array.isArray(content) ? content.map((part) => (typeof part === 'object' && part && 'text' in part ? String(part.text) : '')).join('') : '';
  return text.replace(/<system-reminder>[\s\S]*?<\/system-reminder>/g, '');
}

/** A tool result's first lines shown in its card (the rest is counted, not sent). */
const SHOWN_LINES = 40;
const SHOWN_CHARS = 4000;

/** A tool result's text for its card: its first lines, and how many lines it has in all. */
export function summarize(content: unknown): { text: string; lines: number } {
  const clean = subagentReport(contentText(content)).trim();
  const lines = clean ? clean.split('\n') : [];
  const head = lines.slice(0, SHOWN_LINES).join('\n');
  const shown = head.length > SHOWN_CHARS ? `${head.slice(0, SHOWN_CHARS)}…` : lines.length > SHOWN_LINES ? `${head}\n…` : head;
  return { text: shown, lines: lines.length };
}

/**
 * A subagent's result comes framed by the CLI (a notice to the model that this is the subagent's
 * report, its lines indented, then its id and usage): the card shows the report itself.
 */
function subagentReport(text: string): string {
  const start = text.indexOf('The report follows:\n');
  if (!text.includes('[Subagent hand-back]') || start === -1) return text;
  const report = text.slice(start + 'The report follows:\n'.length).split(/\nagentId: /)[0]!;
  return report
    .split('\n')
    .map((line) => line.replace(/^ {2}/, ''))
    .join('\n');
}
