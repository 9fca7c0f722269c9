import 'server-only';
import { conversationWorkspace, type Workspace } from '@/features/workspaces/server';
import { AppError } from '@/lib/errors';
import { getConversation } from './queries';

/**
 * The files one of the visitor's conversations works on: its own git worktree with worktree
 * isolation (once its first message made it), else the workspace's. 404 for a conversation
 * that isn't the visitor's, so no one reaches another conversation's worktree by its id.
 */
export async function conversationFiles({ id, visitorId, workspace }: { id: string; visitorId: string; workspace: Workspace }): Promise<Workspace> {
  if (!(await getConversation({ id, visitorId, workspace: workspace.name }))) throw new AppError('not_found:conversation', 'No such conversation.');
  return conversationWorkspace(workspace, id);
}
