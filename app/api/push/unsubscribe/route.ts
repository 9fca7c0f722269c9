import { actingVisitor } from '@/features/sharing/server';
import { MAX_PUSH_BODY_BYTES, unsubscribe, unsubscribeSchema } from '@/features/push/server';
import { readJson } from '@/lib/http';
import { route } from '../../_lib/route';

export const DELETE = route(async ({ req, visitorId, workspace }) => {
  const input = await readJson(req, unsubscribeSchema, MAX_PUSH_BODY_BYTES);
  const actor = await actingVisitor({ visitorId, workspace: workspace.name, conversationId: input.conversationId });
  await unsubscribe({ visitorId: actor, workspace: workspace.name, ...input });
  return Response.json({ ok: true });
});
