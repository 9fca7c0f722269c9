import { listDevices } from '@/features/sharing/server';
import { parseInput } from '@/lib/http';
import { uuidSchema } from '@/lib/ids';
import { route } from '../../../_lib/route';

/** "Devices with access": the browsers that may use this conversation. */
export const GET = route<{ id: string }>(async ({ params, visitorId, workspace }) => {
  const conversationId = parseInput(uuidSchema, params.id, 'params');
  return Response.json({ devices: await listDevices({ visitorId, workspace: workspace.name, conversationId }) });
});
