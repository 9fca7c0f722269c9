import { afterSeqSchema, uuidSchema, visibleSchema } from '@/features/runs';
import { requireRun, runEventStream } from '@/features/runs/server';
import { parseInput } from '@/lib/http';
import { route } from '../../../_lib/route';

export const dynamic = 'force-dynamic';

export const GET = route<{ id: string }>(async ({ req, params, visitorId, workspace }) => {
  const runId = parseInput(uuidSchema, params.id, 'params');
  // A reconnecting EventSource sends Last-Event-ID; our own client sends ?after=.
  const after = parseInput(afterSeqSchema, req.nextUrl.searchParams.get('after') ?? req.headers.get('last-event-id') ?? undefined, 'query');
  const visible = parseInput(visibleSchema, req.nextUrl.searchParams.get('visible') ?? undefined, 'query');
  const run = requireRun({ runId, visitorId, workspace: workspace.name });
  return runEventStream({ run, visitorId, after, signal: req.signal, visible });
});
