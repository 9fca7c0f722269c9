import 'server-only';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SessionStore, SessionStoreEntry } from '@anthropic-ai/claude-agent-sdk';
import { serverEnv } from '@/lib/env';
import { agentHome } from './agent-sandbox';
import { databaseTranscriptStore } from './transcript-store';

/**
 * The folder name transcripts are kept under (the SDK's project key) when they are in the
 * database: the same on every instance and with or without the sandbox (which names it after
 * `/workspace`), so a conversation resumes anywhere. The CLI takes it from
 * CLAUDE_CODE_PROJECT_DIR_NAME; the history reader derives it from this folder.
 */
export const SHARED_PROJECT_KEY = '-workspace';
const SHARED_PROJECT_DIR = '/workspace';

/**
 * Where a conversation's history is read from (`getSessionMessages`' store and folder): the
 * database when transcripts are kept there (TETHER_TRANSCRIPTS), falling back to this instance's
 * disk for sessions written before they were; else the disk.
 */
export function transcriptSource(conversationId: string, workspaceDir: string): { sessionStore: SessionStore; dir: string } {
  const disk = transcriptReader(conversationId);
  if (serverEnv().transcripts === 'disk') return { sessionStore: disk, dir: workspaceDir };
  const database = databaseTranscriptStore(conversationId);
  return {
    sessionStore: { ...database, load: async (key) => (await database.load(key)) ?? (await disk.load(key)) },
    dir: SHARED_PROJECT_DIR,
  };
}

/**
 * Before an agent resumes a session with transcripts in the database: a session that so far was
 * only on this instance's disk (written before they were) is copied there first. Otherwise the
 * SDK would mirror only what comes next, and a later resume elsewhere would find half a session.
 */
export async function copyDiskTranscriptToDatabase(conversationId: string, sessionId: string): Promise<void> {
  // Once per session and process: after that the SDK's mirror keeps the database complete.
  if (copied.has(sessionId)) return;
  const database = databaseTranscriptStore(conversationId);
  const key = { projectKey: SHARED_PROJECT_KEY, sessionId };
  if (await database.load(key)) return;
  const entries = await transcriptReader(conversationId).load(key);
  if (entries) await database.append(key, entries);
  copied.add(sessionId);
}
const copied = new Set<string>();

/**
 * Each conversation's CLI keeps its transcript in that conversation's own config folder
 * (`<data>/agents/<conversation>/.claude/projects/<project key>/<session>.jsonl`), so no agent can
 * see another's. The SDK's file reader knows one CLAUDE_CONFIG_DIR per process; its session-store
 * hook lets the history reader load from the right folder instead.
 */
export function transcriptReader(conversationId: string): SessionStore {
  return {
    load: async ({ sessionId }) => {
      const file = transcriptFile(conversationId, sessionId);
      if (!file) return null;
      const lines = (await readFile(file, 'utf8')).split('\n').filter((line) => line.trim());
      return lines.flatMap((line) => {
        try {
          return [JSON.parse(line) as SessionStoreEntry];
        } catch {
          return []; // a line cut off by a crash mid-write
        }
      });
    },
    append: async () => {
      throw new Error('The transcript reader is read-only.');
    },
  };
}

/** The session's JSONL in the conversation's config folder, whatever project key the CLI used. */
export function transcriptFile(conversationId: string, sessionId: string): string | null {
  const projects = path.join(agentHome(conversationId), '.claude', 'projects');
  if (!existsSync(projects)) return null;
  for (const project of readdirSync(projects)) {
    const file = path.join(projects, project, `${sessionId}.jsonl`);
    if (existsSync(file)) return file;
  }
  return null;
}
