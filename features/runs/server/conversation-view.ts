import 'server-only';
import { getConversation } from '@/features/conversations/server';
import type { Workspace } from '@/features/workspaces/server';
import { AppError } from '@/lib/errors';
import { redis } from '@/lib/redis';
import type { ChatItem } from '@/features/timeline';
import type { RunInfo } from '../types';
import { agentWorkspaceDir } from '@/features/sandbox/server';
import { loadHistory } from '@/features/timeline/server';
import { listRunChanges } from '@/features/changes/server';
import { listRuns, type RunRecord } from './queries';
import { activeRun } from './run-manager';

export type ConversationView = {
  conversation: { id: string; title: string | null; createdAt: string; lastActivityAt: string; muted: boolean };
  /** History up to the active run (which the client replays from its events), or all of it. */
  items: ChatItem[];
  activeRun: RunInfo | null;
};

export async function conversationView({ visitorId, workspace, conversationId }: { visitorId: string; workspace: Workspace; conversationId: string }): Promise<ConversationView> {
  const conversation = await getConversation({ id: conversationId, visitorId, workspace: workspace.name });
  if (!conversation) throw new AppError('not_found:conversation', 'No such conversation.');
  const [runs, changes] = await Promise.all([listRuns(conversationId), listRunChanges(conversationId)]);
  const local = activeRun(conversationId);
  const elsewhere = local ? null : runningElsewhere(runs);
  const run = local?.info() ?? elsewhere;
  const items = conversation.sdkSessionId
    ? await loadHistory({
        conversationId,
        sdkSessionId: conversation.sdkSessionId,
        workspaceDir: agentWorkspaceDir(workspace),
        before: local?.startedAt ?? (elsewhere ? new Date(runs.at(-1)!.startedAt) : undefined),
        runs,
        changes,
      })
    : [];
  const { id, title, createdAt, lastActivityAt, muted } = conversation;
  return { conversation: { id, title, createdAt, lastActivityAt, muted }, items, activeRun: run };
}

/**
 * With Redis, a run another instance is running: viewers here follow it from its stream. Without
 * Redis only this instance's runs can be followed, so a 'running' record of another is not offered.
 */
function runningElsewhere(runs: RunRecord[]): RunInfo | null {
  const last = runs.at(-1);
  if (!redis() || last?.status !== 'running') return null;
  return { id: last.id, conversationId: last.conversationId, model: last.model, mode: last.mode, status: 'running' };
}
