import { actingVisitor, renameConversation, renameSchema } from '@/features/conversations/server';
import { conversationView, deleteConversationsForGood } from '@/features/runs/server';
import { AppError } from '@/lib/errors';
import { parseInput, readJson } from '@/lib/http';
import { uuidSchema } from '@/lib/ids';
import { route } from '../../_lib/route';

export const GET = route<{ id: string }>(async ({ params, visitorId, workspace }) => {
  const conversationId = parseInput(uuidSchema, params.id, 'params');
  const actor = await actingVisitor({ visitorId, workspace: workspace.name, conversationId });
  return Response.json(await conversationView({ visitorId: actor, workspace, conversationId }));
});

/** Deletes the conversation for good: records, runs, push subscriptions, transcript. */
export const DELETE = route<{ id: string }>(async ({ params, visitorId, workspace }) => {
  const conversationId = parseInput(uuidSchema, params.id, 'params');
  const actor = await actingVisitor({ visitorId, workspace: workspace.name, conversationId });
  const deleted = await deleteConversationsForGood({ visitorId: actor, workspace: workspace.name, ids: [conversationId] });
  if (deleted.length === 0) throw new AppError('not_found:conversation', 'No such conversation.');
  return Response.json({ deleted });
});

/** Renames the conversation: `{ title }` → `{ title }`. */
export const PATCH = route<{ id: string }>(async ({ req, params, visitorId, workspace }) => {
  const conversationId = parseInput(uuidSchema, params.id, 'params');
  const { title } = await readJson(req, renameSchema, 2048);
  const actor = await actingVisitor({ visitorId, workspace: workspace.name, conversationId });
  const renamed = await renameConversation({ id: conversationId, visitorId: actor, workspace: workspace.name, title });
  if (renamed === null) throw new AppError('not_found:conversation', 'No such conversation.');
  return Response.json({ title: renamed });
});
