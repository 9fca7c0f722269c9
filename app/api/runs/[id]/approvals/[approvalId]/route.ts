import { decideApprovalSchema } from '@/features/approvals';
import { decideAnywhere, findRun } from '@/features/runs/server';
import { parseInput, readJson } from '@/lib/http';
import { uuidSchema } from '@/lib/ids';
import { route } from '../../../../_lib/route';

/** Allow or deny a tool call a run in ask mode waits on: the first decision wins, a later one is a 409. */
export const POST = route.run(
  { input: async ({ req, params }) => ({ approvalId: parseInput(uuidSchema, params.approvalId, 'params'), decision: await readJson(req, decideApprovalSchema) }) },
  async ({ runId, input: { approvalId, decision }, actor, workspace }) => {
    await decideAnywhere(await findRun({ runId, visitorId: actor, workspace: workspace.name }), approvalId, decision);
    return Response.json({ approvalId, decision: decision.decision });
  },
);
