import { afterSeqSchema, visibleSchema } from '@/features/runs';
import { findRun, streamRunEvents } from '@/features/runs/server';
import { parseInput } from '@/lib/http';
import { uuidSchema } from '@/lib/ids';
import { nodeRoute } from '../../../_lib/route';
import { runActor } from '../../../_lib/run-actor';

/** GET /api/runs/:id/events — served before Next (see `app/api/node-routes.ts`). */
export const GET = nodeRoute<{ id: string }>(async ({ req, params, visitorId, workspace, res }) => {
  const runId = parseInput(uuidSchema, params.id, 'params');
  // A reconnecting EventSource sends Last-Event-ID; our own client sends ?after=.
  const after = parseInput(afterSeqSchema, req.nextUrl.searchParams.get('after') ?? req.headers.get('last-event-id') ?? undefined, 'query');
  const visible = parseInput(visibleSchema, req.nextUrl.searchParams.get('visible') ?? undefined, 'query');
  const actor = await runActor({ runId, visitorId, workspace: workspace.name });
  const run = await findRun({ runId, visitorId: actor, workspace: workspace.name });
  if (res.destroyed) return; // the viewer left while the run was looked up
  await streamRunEvents({ run, visitorId, after, visible, res });
});
