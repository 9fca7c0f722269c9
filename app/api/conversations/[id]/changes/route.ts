import { conversationChanges } from '@/features/changes/server';
import { route } from '../../../_lib/route';

/** "Changes in this conversation": what its runs changed that is still there, from before its first run to now (`{ files }`, none when it changed nothing). */
export const GET = route.conversation(async ({ conversationId, actor, workspace }) => {
  return Response.json(await conversationChanges({ conversationId, visitorId: actor, workspace }));
});
