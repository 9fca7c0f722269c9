import { conversationView } from '@/features/runs/server';
import { shareRoute } from '../_lib/share-route';

/** A shared conversation, read-only: its title, its history, and the run in progress if any (nothing about who has access). */
export const GET = shareRoute(async ({ workspace, shared }) => {
  const view = await conversationView({ visitorId: shared.ownerId, workspace, conversationId: shared.conversationId });
  return Response.json({ conversation: { title: view.conversation.title }, items: view.items, activeRun: view.activeRun }, { headers: { 'cache-control': 'no-store' } });
});
