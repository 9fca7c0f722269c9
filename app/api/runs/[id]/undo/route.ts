import { uuidSchema } from '@/features/runs';
import { undoRunChanges } from '@/features/runs/server';
import { parseInput } from '@/lib/http';
import { route } from '../../../_lib/route';

/** "Undo these changes": the run's files back as they were before it (409 with the reason when that would lose something). */
export const POST = route<{ id: string }>(async ({ params, visitorId, workspace }) => {
  const runId = parseInput(uuidSchema, params.id, 'params');
  return Response.json({ undone: await undoRunChanges({ runId, visitorId, workspace }) });
});
