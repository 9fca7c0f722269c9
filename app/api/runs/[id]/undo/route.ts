import { undoRunChanges } from '@/features/runs/server';
import { parseInput } from '@/lib/http';
import { uuidSchema } from '@/lib/ids';
import { route } from '../../../_lib/route';
import { runActor } from '../../../_lib/run-actor';

/** "Undo these changes": the run's files back as they were before it (409 with the reason when that would lose something). */
export const POST = route<{ id: string }>(async ({ params, visitorId, workspace }) => {
  const runId = parseInput(uuidSchema, params.id, 'params');
  const actor = await runActor({ runId, visitorId, workspace: workspace.name });
  return Response.json({ undone: await undoRunChanges({ runId, visitorId: actor, workspace }) });
});
