import { decideApprovalSchema } from '@/features/runs';
import { decideAnywhere, findRun } from '@/features/runs/server';
import { parseInput, readJson } from '@/lib/http';
import { uuidSchema } from '@/lib/ids';
import { route } from '../../../../_lib/route';
import { runActor } from '../../../../_lib/run-actor';

/** Allow or deny a tool call a run in ask mode waits on: the first decision wins, a later one is a 409. */
export const POST = route<{ id: string; approvalId: string }>(async ({ req, params, visitorId, workspace }) => {
  const runId = parseInput(uuidSchema, params.id, 'params');
  const approvalId = parseInput(uuidSchema, params.approvalId, 'params');
  const decision = await readJson(req, decideApprovalSchema);
  const actor = await runActor({ runId, visitorId, workspace: workspace.name });
  await decideAnywhere(await findRun({ runId, visitorId: actor, workspace: workspace.name }), approvalId, decision);
  return Response.json({ approvalId, decision: decision.decision });
});
