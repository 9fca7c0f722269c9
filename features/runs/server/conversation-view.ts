import 'server-only';
import { getConversation } from '@/features/conversations/server';
import type { Workspace } from '@/features/workspaces/server';
import { AppError } from '@/lib/errors';
import type { ChatItem } from '../chat-items';
import type { RunInfo } from '../types';
import { agentWorkspaceDir } from './agent/agent-sandbox';
import { loadHistory } from './history';
import { listRuns } from './queries';
import { activeRun } from './run-manager';

export type ConversationView = {
  conversation: { id: string; title: string | null; createdAt: string; lastActivityAt: string; muted: boolean };
  /** History up to the active run (which the client replays from its events), or all of it. */
  items: ChatItem[];
  activeRun: RunInfo | null;
};

export async function conversationView({ visitorId, workspace, conversationId }: {
  visitorId: string;
  workspace: Workspace;
  conversationId: string;
}): Promise<ConversationView> {
  const conversation = await getConversation({ id: conversationId, visitorId, workspace: workspace.name });
  if (!conversation) throw new AppError('not_found:conversation', 'No such conversation.');
  const run = activeRun(conversationId);
  const items = conversation.sdkSessionId
    ? await loadHistory({
        conversationId,
        sdkSessionId: conversation.sdkSessionId,
        workspaceDir: agentWorkspaceDir(workspace),
        before: run?.startedAt,
        runs: await listRuns(conversationId),
      })
    : [];
  const { id, title, createdAt, lastActivityAt, muted } = conversation;
  return { conversation: { id, title, createdAt, lastActivityAt, muted }, items, activeRun: run?.info() ?? null };
}
