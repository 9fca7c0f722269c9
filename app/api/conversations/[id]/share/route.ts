import { isShared, shareConversation, stopSharing } from '@/features/sharing/server';
import { parseInput } from '@/lib/http';
import { uuidSchema } from '@/lib/ids';
import { requestOrigin } from '@/lib/request-origin';
import { route } from '../../../_lib/route';

/** Whether a read-only link to this conversation is on. */
export const GET = route<{ id: string }>(async ({ params, visitorId, workspace }) => {
  const conversationId = parseInput(uuidSchema, params.id, 'params');
  return Response.json({ shared: await isShared({ visitorId, workspace: workspace.name, conversationId }) });
});

/** "Share read-only": a new link (an earlier one stops working). */
export const POST = route<{ id: string }>(async ({ req, params, visitorId, workspace }) => {
  const conversationId = parseInput(uuidSchema, params.id, 'params');
  return Response.json(await shareConversation({ visitorId, workspace: workspace.name, conversationId, origin: requestOrigin(req) }), { status: 201, headers: { 'cache-control': 'no-store' } });
});

/** Turns the link off, at once, live viewers included. */
export const DELETE = route<{ id: string }>(async ({ params, visitorId, workspace }) => {
  const conversationId = parseInput(uuidSchema, params.id, 'params');
  await stopSharing({ visitorId, workspace: workspace.name, conversationId });
  return Response.json({ shared: false });
});
