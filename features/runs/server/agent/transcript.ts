import 'server-only';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SessionStore, SessionStoreEntry } from '@anthropic-ai/claude-agent-sdk';
import { agentHome } from './agent-sandbox';

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
