import 'server-only';
import type { SessionKey, SessionStore, SessionStoreEntry } from '@anthropic-ai/claude-agent-sdk';
import type { Db } from '@/lib/db';
import { db } from '@/lib/db/connection';

/**
 * One conversation's agent transcripts in the database: the SDK's SessionStore, given to the
 * agent's query() (it mirrors every transcript line here as the CLI writes it, and loads a
 * session from here to resume it) and to the history reader. Keyed by the SDK's keys within the
 * conversation, so its rows go when the conversation does. Entries pass through as JSON.
 */
export function databaseTranscriptStore(conversationId: string, database: () => Promise<Db> = db): SessionStore {
  const call = async <T>(fn: string, args: Record<string, unknown>) => (await database()).call<T>(fn, { p_conversation_id: conversationId, ...args });
  const at = ({ projectKey, sessionId }: Pick<SessionKey, 'projectKey' | 'sessionId'>) => ({ p_project_key: projectKey, p_session_id: sessionId });
  return {
    append: async (key, entries) => {
      if (entries.length === 0) return;
      const p_entries = entries.map((entry) => JSON.stringify(entry));
      const p_uuids = entries.map((entry) => (typeof entry.uuid === 'string' ? entry.uuid : null));
      await call('transcript_append', { ...at(key), p_subpath: key.subpath ?? '', p_entries, p_uuids });
    },
    load: (key) => call<SessionStoreEntry[] | null>('transcript_load', { ...at(key), p_subpath: key.subpath ?? '' }),
    listSessions: (projectKey) => call<Array<{ sessionId: string; mtime: number }>>('transcript_sessions', { p_project_key: projectKey }),
    listSubkeys: (key) => call<string[]>('transcript_subkeys', at(key)),
    delete: async (key) => {
      // No subpath: the session's main transcript and all of its subpaths.
      await call('transcript_delete', { ...at(key), p_subpath: key.subpath ?? null });
    },
  };
}
