import 'server-only';
import { randomUUID } from 'node:crypto';
import { deleteConversationsForGood, getConversation, openConversation, setSdkSession } from '@/features/conversations/server';
import { takeConversation } from '@/features/limits/server';
import type { Workspace } from '@/features/workspaces/server';
import { forkTranscript } from '@/features/agents/server';
import { copyAttachments } from '@/features/attachments/server';
import { agentWorkspaceDir } from '@/features/sandbox/server';
import { branchPoint, readSession } from '@/features/timeline/server';
import { AppError } from '@/lib/errors';
import { logger } from '@/lib/logger';
import { activeRun } from './run-manager';
import { listRuns } from './queries';

/** The most a branch's title keeps of the conversation's own (the rest of it is " (branch)"). */
const MAX_TITLE_CHARS = 110;

/**
 * "Branch from here": a new conversation with this one's history up to the answer to the
 * `keepPrompts`-th message of the visitor's, whose next message is answered from that history
 * alone. `actor` has the rights on this conversation (its owner's, for one of its devices); the
 * branch is the caller's own (`visitorId`), so it opens in the browser that asked, and counts
 * toward that visitor's conversations of the day. The attachments of the messages it keeps are
 * copied into it. This one is left as it was.
 */
export async function branchConversation({
  actor,
  visitorId,
  workspace,
  conversationId,
  keepPrompts,
}: {
  actor: string;
  visitorId: string;
  workspace: Workspace;
  conversationId: string;
  keepPrompts: number;
}): Promise<{ conversationId: string; title: string }> {
  const conversation = await getConversation({ id: conversationId, visitorId: actor, workspace: workspace.name });
  if (!conversation) throw new AppError('not_found:conversation', 'No such conversation.');
  if (!conversation.sdkSessionId) throw new AppError('conflict:nothing_to_branch', 'This conversation has no answer to branch from yet.');
  const workspaceDir = agentWorkspaceDir(workspace);
  const messages = await readSession({ conversationId, sdkSessionId: conversation.sdkSessionId, workspaceDir });
  const point = branchPoint(messages, keepPrompts);
  if (!point) throw new AppError('bad_request:no_such_message', `This conversation has fewer than ${keepPrompts} messages of yours.`);
  // The answer to the latest message may still be coming: a branch takes only what has ended.
  if (point.wholeSession && (activeRun(conversationId) || (await listRuns(conversationId)).at(-1)?.status === 'running')) {
    throw new AppError('conflict:run_active', 'That answer is still being written: branch from it once it has finished.');
  }
  await takeConversation(visitorId);
  const id = randomUUID();
  const title = `${(conversation.title ?? 'Conversation').slice(0, MAX_TITLE_CHARS)} (branch)`;
  if (!(await openConversation({ id, visitorId, workspace: workspace.name, title }))) throw new AppError('conflict:nothing_to_branch', 'The new conversation could not be made.');
  try {
    // Its own copies, with the ids its copied history names: served as its own, and gone with it.
    await copyAttachments({ from: conversationId, to: id, ids: point.attachments });
    const sessionId = await forkTranscript({ from: conversationId, to: id, sessionId: conversation.sdkSessionId, upToMessageId: point.upTo, workspaceDir, title });
    await setSdkSession(id, sessionId);
  } catch (error) {
    // Nothing half made is left: the new conversation goes, with whatever of its transcript was written.
    await deleteConversationsForGood({ visitorId, workspace: workspace.name, ids: [id] });
    logger.warn('branch failed', { conversationId, keepPrompts, error });
    // The SDK finds no such entry in the session that is resumed: it lies before a compaction.
    if (error instanceof Error && /not found|no messages to fork/i.test(error.message)) {
      throw new AppError('conflict:nothing_to_branch', 'This point of the conversation can no longer be branched from: it was summarised to free up context.');
    }
    throw error;
  }
  return { conversationId: id, title };
}
