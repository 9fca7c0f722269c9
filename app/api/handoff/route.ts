import { handoffTokenSchema, redeemHandoff } from '@/features/sharing/server';
import { readJson } from '@/lib/http';
import { route } from '../_lib/route';

/** Opens a handoff link (its token, from the URL fragment): this browser becomes a device of the conversation. */
export const POST = route(async ({ req, visitorId, workspace }) => {
  const { token } = await readJson(req, handoffTokenSchema, 1024);
  const conversationId = await redeemHandoff({ visitorId, workspace: workspace.name, token, userAgent: req.headers.get('user-agent') ?? '' });
  return Response.json({ conversationId });
});
