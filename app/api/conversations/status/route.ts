import { conversationIdsSchema, conversationStatuses } from '@/features/conversations/server';
import { parseInput } from '@/lib/http';
import { route } from '../../_lib/route';

export const dynamic = 'force-dynamic';

/** The recent list's badges: `?ids=a,b,c` → `{ statuses: [{ id, lastRunStatus, lastRunFinishedAt }] }`. */
export const GET = route(async ({ req, visitorId, workspace }) => {
  const ids = parseInput(conversationIdsSchema, req.nextUrl.searchParams.get('ids') ?? undefined, 'query');
  return Response.json({ statuses: await conversationStatuses({ ids, visitorId, workspace: workspace.name }) });
});
