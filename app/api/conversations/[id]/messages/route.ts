import { sendMessageSchema, uuidSchema } from '@/features/runs';
import { startRun } from '@/features/runs/server';
import { parseInput, readJson } from '@/lib/http';
import { route } from '../../../_lib/route';

export const POST = route<{ id: string }>(async ({ req, params, visitorId, workspace }) => {
  const conversationId = parseInput(uuidSchema, params.id, 'params');
  const input = await readJson(req, sendMessageSchema);
  return Response.json({ run: await startRun({ visitorId, workspace, conversationId, ...input }) }, { status: 202 });
});
