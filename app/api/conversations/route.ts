import { deleteConversationsForGood } from '@/features/runs/server';
import { route } from '../_lib/route';

/** "Clear all": deletes every one of the visitor's conversations in this workspace. */
export const DELETE = route(async ({ visitorId, workspace }) => {
  return Response.json({ deleted: await deleteConversationsForGood({ visitorId, workspace: workspace.name, ids: null }) });
});
