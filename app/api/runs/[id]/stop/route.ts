import { uuidSchema } from '@/features/runs';
import { findRun, stopAnywhere } from '@/features/runs/server';
import { parseInput } from '@/lib/http';
import { route } from '../../../_lib/route';

export const POST = route<{ id: string }>(async ({ params, visitorId, workspace }) => {
  const runId = parseInput(uuidSchema, params.id, 'params');
  return Response.json({ run: await stopAnywhere(await findRun({ runId, visitorId, workspace: workspace.name })) });
});
