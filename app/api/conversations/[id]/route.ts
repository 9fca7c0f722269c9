import { uuidSchema } from '@/features/runs';
import { conversationView } from '@/features/runs/server';
import { parseInput } from '@/lib/http';
import { route } from '../../_lib/route';

export const GET = route<{ id: string }>(async ({ params, visitorId, workspace }) => {
  const conversationId = parseInput(uuidSchema, params.id, 'params');
  return Response.json(await conversationView({ visitorId, workspace, conversationId }));
});
