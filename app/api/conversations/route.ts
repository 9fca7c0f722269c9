import { listConversations } from '@/features/conversations/server';
import { deleteConversationsForGood } from '@/features/conversations/server';
import { route } from '../_lib/route';

/** "See all": the visitor's conversations in this workspace that the server still keeps, latest first. */
export const GET = route(async ({ visitorId, workspace }) => {
  return Response.json({ conversations: await listConversations({ visitorId, workspace: workspace.name }) });
});

/** "Clear all": deletes every one of the visitor's conversations in this workspace. */
export const DELETE = route(async ({ visitorId, workspace }) => {
  return Response.json({ deleted: await deleteConversationsForGood({ visitorId, workspace: workspace.name, ids: null }) });
});
