import 'server-only';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SessionStoreEntry } from '@anthropic-ai/claude-agent-sdk';
import { dataPath } from '@/lib/data-dir';
import { agentHome } from '@/features/sandbox/server';

/**
 * The CLI's own transcript files on this instance's disk: written before the SDK mirrors a line,
 * so they are the source of truth for what the store may lack (after an outage, after a crash).
 * A session is `<projects>/<key>/<session>.jsonl`; its subagents' are under `<session>/…/*.jsonl`,
 * and the SDK's subpath is that relative path without `.jsonl`.
 */

/**
 * The folder name transcripts are kept under (the SDK's project key) when they are in the
 * database: the same on every instance and with or without the sandbox (which names it after
 * `/workspace`), so a conversation resumes anywhere. The CLI takes it from
 * CLAUDE_CODE_PROJECT_DIR_NAME; the history reader derives it from this folder.
 */
export const SHARED_PROJECT_KEY = '-workspace';

export type DiskTranscript = { subpath: string; file: string };

/** The session's main transcript and its subpaths on this disk, whatever project key the CLI used. */
export function diskTranscripts(conversationId: string, sessionId: string): DiskTranscript[] {
  const projects = path.join(agentHome(conversationId), '.claude', 'projects');
  if (!existsSync(projects)) return [];
  for (const project of readdirSync(projects)) {
    const main = path.join(projects, project, `${sessionId}.jsonl`);
    if (!existsSync(main)) continue;
    const folder = path.join(projects, project, sessionId);
    const subpaths = existsSync(folder) ? jsonlUnder(folder).map((file) => ({ subpath: path.relative(folder, file).slice(0, -'.jsonl'.length).split(path.sep).join('/'), file })) : [];
    return [{ subpath: '', file: main }, ...subpaths];
  }
  return [];
}

/** Every conversation's sessions on this disk whose file changed in the last `withinMs`: what a crash may have left unmirrored. */
export function recentDiskSessions(withinMs: number): Array<{ conversationId: string; sessionId: string }> {
  const root = dataPath('agents');
  if (!existsSync(root)) return [];
  const since = Date.now() - withinMs;
  return readdirSync(root)
    .filter((name) => /^[0-9a-f-]{36}$/.test(name))
    .flatMap((conversationId) => {
      const projects = path.join(root, conversationId, '.claude', 'projects');
      if (!existsSync(projects)) return [];
      return readdirSync(projects).flatMap((project) =>
        readdirSync(path.join(projects, project))
          .filter((name) => name.endsWith('.jsonl') && statSync(path.join(projects, project, name)).mtimeMs >= since)
          .map((name) => ({ conversationId, sessionId: name.slice(0, -'.jsonl'.length) })),
      );
    });
}

/** A JSONL transcript's entries; a line cut off by a crash mid-write is skipped. Null when there is no file. */
export async function readTranscript(file: string): Promise<SessionStoreEntry[] | null> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (text === null) return null;
  return text.split('\n').flatMap((line) => {
    if (!line.trim()) return [];
    try {
      return [JSON.parse(line) as SessionStoreEntry];
    } catch {
      return [];
    }
  });
}

/**
 * What identifies an entry across the disk and the store: its uuid, or for the few without one
 * (titles, tags, mode markers) a hash of its JSON — the store keeps that JSON as written, so the
 * database computes the same hash (`transcript_missing`, migration 000015).
 */
export function entryKey(entry: SessionStoreEntry): string {
  if (typeof entry.uuid === 'string') return entry.uuid;
  return `md5:${createHash('md5').update(JSON.stringify(entry)).digest('hex')}`;
}

/**
 * The store's entries with those only the disk has, each placed after the entry that came before
 * it on disk: the store may hold turns of other instances this disk never saw, and the disk lines
 * the store has not received yet. Either alone when the other has nothing.
 */
export function mergeTranscripts(stored: SessionStoreEntry[] | null, local: SessionStoreEntry[] | null): SessionStoreEntry[] | null {
  if (!local?.length) return stored;
  if (!stored?.length) return local;
  const have = new Set(stored.map(entryKey));
  const after = new Map<string | null, SessionStoreEntry[]>();
  let anchor: string | null = null;
  for (const entry of local) {
    const key = entryKey(entry);
    if (have.has(key)) anchor = key;
    else after.set(anchor, [...(after.get(anchor) ?? []), entry]);
  }
  if (after.size === 0) return stored;
  const takeAfter = (key: string | null) => {
    const entries = after.get(key) ?? [];
    after.delete(key); // once, even where the store holds a line twice
    return entries;
  };
  return [...takeAfter(null), ...stored.flatMap((entry) => [entry, ...takeAfter(entryKey(entry))])];
}

function jsonlUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((item) => {
    const full = path.join(folder, item.name);
    if (item.isDirectory()) return jsonlUnder(full);
    return item.isFile() && item.name.endsWith('.jsonl') ? [full] : [];
  });
}
