import { actingVisitor } from '@/features/conversations/server';
import { muteSchema, setMuted } from '@/features/push/server';
import { parseInput, readJson } from '@/lib/http';
import { uuidSchema } from '@/lib/ids';
import { route } from '../../../_lib/route';

export const PUT = route<{ id: string }>(async ({ req, params, visitorId, workspace }) => {
  const conversationId = parseInput(uuidSchema, params.id, 'params');
  const { muted } = await readJson(req, muteSchema, 1024);
  const actor = await actingVisitor({ visitorId, workspace: workspace.name, conversationId });
  return Response.json(await setMuted({ visitorId: actor, workspace: workspace.name, conversationId, muted }));
});
