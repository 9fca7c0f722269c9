import 'server-only';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { SessionStore } from '@anthropic-ai/claude-agent-sdk';
import { serverEnv } from '@/lib/env';
import { agentHome } from '@/features/sandbox/server';
import { readTranscript, SHARED_PROJECT_KEY } from './transcript-disk';
import { backfillSession, mirroredTranscriptStore } from './transcript-mirror';

export { SHARED_PROJECT_KEY };
/** The folder the shared project key is named after (see SHARED_PROJECT_KEY). */
const SHARED_PROJECT_DIR = '/workspace';

/**
 * Where a conversation's history is read from (`getSessionMessages`' store and folder): the
 * database when transcripts are kept there (TETHER_TRANSCRIPTS) — with the lines this instance's
 * disk has and the store not yet (after an outage), and sessions written before they were —
 * else the disk.
 */
export function transcriptSource(conversationId: string, workspaceDir: string): { sessionStore: SessionStore; dir: string } {
  if (serverEnv().transcripts === 'disk') return { sessionStore: transcriptReader(conversationId), dir: workspaceDir };
  return { sessionStore: mirroredTranscriptStore(conversationId), dir: SHARED_PROJECT_DIR };
}

/**
 * Before an agent resumes a session with transcripts in the database: what this instance's disk
 * has of it and the store lacks (a session written before they were, lines an outage held back)
 * is sent there first. Otherwise a later resume elsewhere would find half a session.
 */
export async function copyDiskTranscriptToDatabase(conversationId: string, sessionId: string): Promise<void> {
  // Once per session and process: after that the mirror keeps the store complete.
  if (copied.has(sessionId)) return;
  await backfillSession(conversationId, sessionId, SHARED_PROJECT_KEY);
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
    load: async ({ sessionId, subpath }) => {
      const file = transcriptFile(conversationId, sessionId);
      // A subagent's transcript sits beside its session's: `<session>/<subpath>.jsonl`.
      const wanted = file && subpath ? path.join(file.slice(0, -'.jsonl'.length), `${subpath}.jsonl`) : file;
      return wanted && existsSync(wanted) ? readTranscript(wanted) : null;
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
