import { afterSeqSchema, visibleSchema } from '@/features/runs';
import { findRun } from '@/features/runs/server';
import { streamRunEvents } from '@/features/timeline/server';
import { parseInput } from '@/lib/http';
import { nodeRoute } from '../../../_lib/route';

/** GET /api/runs/:id/events — served before Next (see `app/api/node-routes.ts`). */
export const GET = nodeRoute.run(
  {
    input: ({ req }) => ({
      // A reconnecting EventSource sends Last-Event-ID; our own client sends ?after=.
      after: parseInput(afterSeqSchema, req.nextUrl.searchParams.get('after') ?? req.headers.get('last-event-id') ?? undefined, 'query'),
      visible: parseInput(visibleSchema, req.nextUrl.searchParams.get('visible') ?? undefined, 'query'),
    }),
  },
  async ({ runId, input: { after, visible }, actor, visitorId, workspace, res }) => {
    const run = await findRun({ runId, visitorId: actor, workspace: workspace.name });
    if (res.destroyed) return; // the viewer left while the run was looked up
    await streamRunEvents({ run, visitorId, after, visible, res });
  },
);
