import { muteSchema, setMuted } from '@/features/push/server';
import { uuidSchema } from '@/features/runs';
import { parseInput, readJson } from '@/lib/http';
import { route } from '../../../_lib/route';

export const PUT = route<{ id: string }>(async ({ req, params, visitorId, workspace }) => {
  const conversationId = parseInput(uuidSchema, params.id, 'params');
  const { muted } = await readJson(req, muteSchema, 1024);
  return Response.json(await setMuted({ visitorId, workspace: workspace.name, conversationId, muted }));
});
