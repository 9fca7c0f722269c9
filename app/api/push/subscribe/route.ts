import { actingVisitor } from '@/features/sharing/server';
import { MAX_PUSH_BODY_BYTES, subscribe, subscribeSchema } from '@/features/push/server';
import { readJson } from '@/lib/http';
import { route } from '../../_lib/route';

export const POST = route(async ({ req, visitorId, workspace }) => {
  const input = await readJson(req, subscribeSchema(), MAX_PUSH_BODY_BYTES);
  const actor = await actingVisitor({ visitorId, workspace: workspace.name, conversationId: input.conversationId });
  await subscribe({ visitorId: actor, device: visitorId, workspace: workspace.name, ...input });
  return Response.json({ ok: true }, { status: 201 });
});
