import 'server-only';
import { getSessionMessages, type SessionMessage } from '@anthropic-ai/claude-agent-sdk';
import { transcriptSource } from '@/features/agents/server';
import { markedAttachments } from './attachment-marker';
import { visitorText } from './history';
import { blocks } from './normalize';

/**
 * Where a message replacing the conversation's last one (Retry, Edit) takes the session up:
 * the entry just before the visitor's last message, so that message and all that answered it
 * are left behind. `resumeAt: null`: the last message was the first, so a fresh session starts.
 * `attachments`: the ids of the attachments the replaced message carried, which the one
 * replacing it may carry again. Null when the transcript holds no message of the visitor's
 * (nothing to leave behind).
 */
export async function replacePoint({
  conversationId,
  sdkSessionId,
  workspaceDir,
}: {
  conversationId: string;
  sdkSessionId: string;
  workspaceDir: string;
}): Promise<{ resumeAt: string | null; attachments: string[] } | null> {
  const messages = await getSessionMessages(sdkSessionId, transcriptSource(conversationId, workspaceDir));
  const last = messages.findLastIndex((entry) => entry.type === 'user' && visitorWords(entry.message));
  if (last === -1) return null;
  return { resumeAt: messages[last - 1]?.uuid ?? null, attachments: attachmentIds(messages.slice(last, last + 1)) };
}

/**
 * Where a branch keeping the conversation's first `keepPrompts` messages of the visitor (and what
 * answered them) ends: the entry just before the next one of theirs, or the session's last entry
 * when there is none; `attachments`: the ids of the attachments those messages carried, which the
 * branch gets copies of. Null when the session holds fewer messages of theirs than that.
 */
export function branchPoint(messages: SessionMessage[], keepPrompts: number): { upTo: string; wholeSession: boolean; attachments: string[] } | null {
  const prompts = messages.flatMap((entry, index) => (entry.type === 'user' && visitorWords(entry.message) ? [index] : []));
  if (keepPrompts < 1 || prompts.length < keepPrompts) return null;
  const next = prompts[keepPrompts];
  const end = next === undefined ? messages.length - 1 : next - 1;
  return { upTo: messages[end]!.uuid, wholeSession: next === undefined, attachments: attachmentIds(messages.slice(0, end + 1)) };
}

/** The ids of the attachments the visitor's messages among `entries` carried, as their markers name them. */
function attachmentIds(entries: SessionMessage[]): string[] {
  const ids = entries.flatMap((entry) => (entry.type === 'user' ? (markedAttachments((entry.message as { content?: unknown }).content) ?? []) : []).map(({ id }) => id));
  return [...new Set(ids)];
}

/** Whether a user entry is a message of the visitor's: words of theirs, or attachments alone (as the history shows them). */
function visitorWords(message: unknown): boolean {
  const content = (message as { content?: unknown }).content;
  if (typeof content === 'string') return visitorText(content) !== null;
  if (markedAttachments(content)) return true;
  return blocks(content).some((block) => block.type === 'text' && visitorText(String((block as { text?: string }).text ?? '')) !== null);
}
