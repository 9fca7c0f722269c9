import { createHandoff } from '@/features/conversations/server';
import { uuidSchema } from '@/features/runs';
import { parseInput } from '@/lib/http';
import { isHttpsRequest } from '@/lib/request-origin';
import { route } from '../../../_lib/route';

/** "Continue on another device": a single-use link (10 minutes) that gives a browser this conversation. */
export const POST = route<{ id: string }>(async ({ req, params, visitorId, workspace }) => {
  const conversationId = parseInput(uuidSchema, params.id, 'params');
  const origin = `${isHttpsRequest(req) ? 'https' : 'http'}://${req.headers.get('host') ?? ''}`;
  const handoff = await createHandoff({ visitorId, workspace: workspace.name, conversationId, userAgent: req.headers.get('user-agent') ?? '', origin });
  return Response.json(handoff, { status: 201, headers: { 'cache-control': 'no-store' } });
});
