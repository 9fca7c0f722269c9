import { muteSchema, setMuted } from '@/features/push/server';
import { readJson } from '@/lib/http';
import { route } from '../../../_lib/route';

export const PUT = route.conversation({ input: ({ req }) => readJson(req, muteSchema, 1024) }, async ({ conversationId, input, actor, workspace }) => {
  return Response.json(await setMuted({ visitorId: actor, workspace: workspace.name, conversationId, muted: input.muted }));
});
