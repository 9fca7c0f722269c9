import { undoRunChanges } from '@/features/changes/server';
import { route } from '../../../_lib/route';

/** "Undo these changes": the run's files back as they were before it (409 with the reason when that would lose something). */
export const POST = route.run(async ({ runId, actor, workspace }) => {
  return Response.json({ undone: await undoRunChanges({ runId, visitorId: actor, workspace }) });
});
