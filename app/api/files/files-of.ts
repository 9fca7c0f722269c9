import type { NextRequest } from 'next/server';
import { conversationFiles } from '@/features/conversations/server';
import type { Workspace } from '@/features/workspaces/server';
import { parseInput } from '@/lib/http';
import { uuidSchema } from '@/lib/ids';
import { conversationActor } from '../_lib/acting-visitor';

/**
 * The files a Files panel request reads: with worktree isolation, `?conversation=` names the
 * conversation whose worktree they are (its owner's or one of its devices'; 404 for anyone else).
 * Without isolation every conversation shares the workspace's files, and it is not looked up.
 */
export async function filesOf({ req, visitorId, workspace }: { req: NextRequest; visitorId: string; workspace: Workspace }): Promise<Workspace> {
  const named = req.nextUrl.searchParams.get('conversation');
  if (named === null || workspace.config.isolation !== 'worktree') return workspace;
  const id = parseInput(uuidSchema, named, 'query');
  const actor = await conversationActor({ id, visitorId, workspace: workspace.name });
  return conversationFiles({ id, visitorId: actor, workspace });
}
