import { conversationFiles } from '@/features/conversations/server';
import { commitSchema } from '@/features/workspaces';
import { branchLog, commitConversation } from '@/features/workspaces/server';
import { readJson } from '@/lib/http';
import { route } from '../../../_lib/route';

/** The conversation's branch (worktree isolation) with its commits: `{ branch, commits }`, 404 without a worktree. */
export const GET = route.conversation(async ({ conversationId, actor, workspace }) => {
  return Response.json(await branchLog(await conversationFiles({ id: conversationId, visitorId: actor, workspace })));
});

/** "Commit": the worktree's files as one commit on the conversation's branch (`{ message }` → `{ commit, branch, commits }`; 409 when nothing changed). */
export const POST = route.conversation({ input: ({ req }) => readJson(req, commitSchema) }, async ({ conversationId, actor, workspace, input }) => {
  return Response.json(await commitConversation(await conversationFiles({ id: conversationId, visitorId: actor, workspace }), input.message));
});
