import { renameConversation, renameSchema } from '@/features/conversations/server';
import { deleteConversationsForGood } from '@/features/conversations/server';
import { conversationView } from '@/features/runs/server';
import { AppError } from '@/lib/errors';
import { readJson } from '@/lib/http';
import { route } from '../../_lib/route';

export const GET = route.conversation(async ({ conversationId, actor, workspace }) => {
  return Response.json(await conversationView({ visitorId: actor, workspace, conversationId }));
});

/** Deletes the conversation for good: records, runs, push subscriptions, transcript. */
export const DELETE = route.conversation(async ({ conversationId, actor, workspace }) => {
  const deleted = await deleteConversationsForGood({ visitorId: actor, workspace: workspace.name, ids: [conversationId] });
  if (deleted.length === 0) throw new AppError('not_found:conversation', 'No such conversation.');
  return Response.json({ deleted });
});

/** Renames the conversation: `{ title }` → `{ title }`. */
export const PATCH = route.conversation({ input: ({ req }) => readJson(req, renameSchema, 2048) }, async ({ conversationId, input, actor, workspace }) => {
  const renamed = await renameConversation({ id: conversationId, visitorId: actor, workspace: workspace.name, title: input.title });
  if (renamed === null) throw new AppError('not_found:conversation', 'No such conversation.');
  return Response.json({ title: renamed });
});
