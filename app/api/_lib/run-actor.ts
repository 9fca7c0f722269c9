import { actingVisitorForRun } from '@/features/conversations/server';
import { isLocalRunOf } from '@/features/runs/server';

/**
 * Whose rights the caller has on a run: its own when it started the run on this instance (no
 * database trip: viewers attach by the thousand), else the conversation owner's when the caller
 * is one of the conversation's devices (a handoff), else its own (and the run is not found).
 */
export async function runActor({ runId, visitorId, workspace }: { runId: string; visitorId: string; workspace: string }): Promise<string> {
  return isLocalRunOf(runId, visitorId) ? visitorId : actingVisitorForRun({ runId, visitorId, workspace });
}
