import { findRun, stopAnywhere } from '@/features/runs/server';
import { parseInput } from '@/lib/http';
import { uuidSchema } from '@/lib/ids';
import { route } from '../../../_lib/route';
import { runActor } from '../../../_lib/run-actor';

export const POST = route<{ id: string }>(async ({ params, visitorId, workspace }) => {
  const runId = parseInput(uuidSchema, params.id, 'params');
  const actor = await runActor({ runId, visitorId, workspace: workspace.name });
  return Response.json({ run: await stopAnywhere(await findRun({ runId, visitorId: actor, workspace: workspace.name })) });
});
