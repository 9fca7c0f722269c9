import { actingVisitor } from '@/features/conversations/server';
import { sendMessageSchema } from '@/features/runs';
import { startRun } from '@/features/runs/server';
import { parseInput, readJson } from '@/lib/http';
import { uuidSchema } from '@/lib/ids';
import { route } from '../../../_lib/route';

export const POST = route<{ id: string }>(async ({ req, params, visitorId, workspace }) => {
  const conversationId = parseInput(uuidSchema, params.id, 'params');
  const input = await readJson(req, sendMessageSchema);
  const actor = await actingVisitor({ visitorId, workspace: workspace.name, conversationId });
  return Response.json({ run: await startRun({ visitorId: actor, workspace, conversationId, ...input }) }, { status: 202 });
});
