import 'server-only';
import path from 'node:path';

/** A short human label for what a tool call acts on: a workspace-relative path, a pattern, a command. */
export function toolTarget(input: unknown, workspaceDir: string): string | null {
  if (typeof input !== 'object' || input === null) return null;
  const fields = input as Record<string, unknown>;
  for (const key of ['file_path', 'notebook_path', 'path', 'pattern', 'command', 'url', 'query']) {
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

/** The first lines of a tool result, enough for a compact card. */
export function summarize(content: unknown): string {
  const text = typeof content === 'string'
    ? content
    : Array.isArray(content)
      ? content.map((part) => (typeof part === 'object' && part && 'text' in part ? String(part.text) : '')).join('')
      : '';
  const clean = text.replace(/<system-reminder>[\s\S]*?<\/system-reminder>/g, '').trim();
  const lines = clean.split('\n');
  const head = lines.slice(0, 6).join('\n');
  return head.length > 400 ? `${head.slice(0, 400)}…` : lines.length > 6 ? `${head}\n…` : head;
}
