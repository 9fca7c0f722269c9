import { revokeDevice } from '@/features/sharing/server';
import { parseInput } from '@/lib/http';
import { uuidSchema } from '@/lib/ids';
import { route } from '../../../../_lib/route';

/** Revokes another device's access to this conversation (and its notifications for it). */
export const DELETE = route<{ id: string; deviceId: string }>(async ({ params, visitorId, workspace }) => {
  const conversationId = parseInput(uuidSchema, params.id, 'params');
  const deviceId = parseInput(uuidSchema, params.deviceId, 'params');
  await revokeDevice({ visitorId, workspace: workspace.name, conversationId, deviceId });
  return Response.json({ revoked: deviceId });
});
