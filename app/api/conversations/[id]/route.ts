import { uuidSchema } from '@/features/runs';
import { conversationView, deleteConversationsForGood } from '@/features/runs/server';
import { AppError } from '@/lib/errors';
import { parseInput } from '@/lib/http';
import { route } from '../../_lib/route';

export const GET = route<{ id: string }>(async ({ params, visitorId, workspace }) => {
  const conversationId = parseInput(uuidSchema, params.id, 'params');
  return Response.json(await conversationView({ visitorId, workspace, conversationId }));
});

/** Deletes the conversation for good: records, runs, push subscriptions, transcript. */
export const DELETE = route<{ id: string }>(async ({ params, visitorId, workspace }) => {
  const conversationId = parseInput(uuidSchema, params.id, 'params');
  const deleted = await deleteConversationsForGood({ visitorId, workspace: workspace.name, ids: [conversationId] });
  if (deleted.length === 0) throw new AppError('not_found:conversation', 'No such conversation.');
  return Response.json({ deleted });
});
