import { sendMessageSchema } from '@/features/runs';
import { startRun } from '@/features/runs/server';
import { readJson } from '@/lib/http';
import { route } from '../../../_lib/route';

export const POST = route.conversation({ input: ({ req }) => readJson(req, sendMessageSchema) }, async ({ conversationId, input, actor, workspace }) => {
  return Response.json({ run: await startRun({ visitorId: actor, workspace, conversationId, ...input }) }, { status: 202 });
});
