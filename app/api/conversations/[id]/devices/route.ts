import { listDevices } from '@/features/conversations/server';
import { uuidSchema } from '@/features/runs';
import { parseInput } from '@/lib/http';
import { route } from '../../../_lib/route';

/** "Devices with access": the browsers that may use this conversation. */
export const GET = route<{ id: string }>(async ({ params, visitorId, workspace }) => {
  const conversationId = parseInput(uuidSchema, params.id, 'params');
  return Response.json({ devices: await listDevices({ visitorId, workspace: workspace.name, conversationId }) });
});
