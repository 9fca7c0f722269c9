import 'server-only';
import type { SessionMessage, SessionStoreEntry } from '@anthropic-ai/claude-agent-sdk';
import { SHARED_PROJECT_KEY, transcriptSource } from '@/features/agents/server';

type Raw = SessionStoreEntry & { parentUuid?: string | null; logicalParentUuid?: string | null; subtype?: string; isMeta?: boolean; isSidechain?: boolean; message?: unknown };

/**
 * What the SDK's reader leaves out after a compaction: it follows the session from its newest
 * entry back to the latest compact boundary only. The visitor's conversation is all of it, so the
 * chain is followed on through each boundary's logical parent, back to the first message.
 * `messages` is what getSessionMessages gave; the result is what came before them, oldest first.
 */
export async function messagesBeforeCompaction({
  conversationId,
  sdkSessionId,
  workspaceDir,
  messages,
}: {
  conversationId: string;
  sdkSessionId: string;
  workspaceDir: string;
  messages: SessionMessage[];
}): Promise<SessionMessage[]> {
  const summary = messages[0] as (SessionMessage & { isCompactSummary?: boolean }) | undefined;
  if (!summary?.isCompactSummary) return [];
  const entries = ((await transcriptSource(conversationId, workspaceDir).sessionStore.load({ projectKey: SHARED_PROJECT_KEY, sessionId: sdkSessionId })) ?? []) as Raw[];
  const byUuid = new Map(entries.filter((entry) => entry.uuid).map((entry) => [entry.uuid!, entry]));
  const earlier: SessionMessage[] = [];
  const seen = new Set<string>();
  // From the boundary before the summary, back through every earlier one, to the root.
  let next = byUuid.get(summary.uuid)?.parentUuid ?? null;
  while (next && !seen.has(next)) {
    seen.add(next);
    const entry = byUuid.get(next);
    if (!entry) break;
    const boundary = entry.type === 'system' && entry.subtype === 'compact_boundary';
    if (!boundary && (entry.type === 'user' || entry.type === 'assistant') && !entry.isMeta && !entry.isSidechain) earlier.push(asMessage(entry, sdkSessionId));
    next = (boundary ? entry.logicalParentUuid : entry.parentUuid) ?? null;
  }
  return earlier.reverse();
}

function asMessage(entry: Raw, sessionId: string): SessionMessage {
  const { type, uuid, message, timestamp, isCompactSummary } = entry;
  return { type, uuid, session_id: sessionId, message, parent_tool_use_id: null, parent_agent_id: null, timestamp, ...(isCompactSummary ? { isCompactSummary: true } : {}) } as SessionMessage;
}
