import { createHandoff } from '@/features/sharing/server';
import { parseInput } from '@/lib/http';
import { uuidSchema } from '@/lib/ids';
import { requestOrigin } from '@/lib/request-origin';
import { route } from '../../../_lib/route';

/** "Continue on another device": a single-use link (10 minutes) that gives a browser this conversation. */
export const POST = route<{ id: string }>(async ({ req, params, visitorId, workspace }) => {
  const conversationId = parseInput(uuidSchema, params.id, 'params');
  const handoff = await createHandoff({ visitorId, workspace: workspace.name, conversationId, userAgent: req.headers.get('user-agent') ?? '', origin: requestOrigin(req) });
  return Response.json(handoff, { status: 201, headers: { 'cache-control': 'no-store' } });
});
