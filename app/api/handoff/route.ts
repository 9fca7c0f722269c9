import { enterThroughHandoff } from '@/features/access/server';
import { handoffTokenSchema, redeemHandoff } from '@/features/sharing/server';
import { readJson } from '@/lib/http';
import { route } from '../_lib/route';

/**
 * Opens a handoff link (its token, from the URL fragment): this browser becomes a device of the
 * conversation, and in a private workspace one of its members (the link acts with a member's rights).
 */
export const POST = route.joining(async ({ req, visitorId, workspace }) => {
  const userAgent = req.headers.get('user-agent') ?? '';
  const conversationId = await enterThroughHandoff({ workspace, visitorId, userAgent }, async () => {
    const { token } = await readJson(req, handoffTokenSchema, 1024);
    return redeemHandoff({ visitorId, workspace: workspace.name, token, userAgent });
  });
  return Response.json({ conversationId });
});
