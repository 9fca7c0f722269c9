import { findRun, stopAnywhere } from '@/features/runs/server';
import { route } from '../../../_lib/route';

export const POST = route.run(async ({ runId, actor, workspace }) => {
  return Response.json({ run: await stopAnywhere(await findRun({ runId, visitorId: actor, workspace: workspace.name })) });
});
