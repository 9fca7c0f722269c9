import 'server-only';
import type { Workspace } from '@/features/workspaces/server';
import { serverEnv } from '@/lib/env';
import type { AskVisitor } from '@/features/agents/server';
import { agentWorkspaceDir } from '@/features/sandbox/server';
import { describeToolCall } from '@/features/approvals/server';
import type { Verdict } from '@/features/approvals/server';
import { watchedElsewhere } from './live-events';
import { announceApprovalNeeded } from './run-notices';
import { activeRun } from './run-registry';

/**
 * Ask mode: the conversation's run in progress puts the tool call to its visitor. The process
 * outlives the run that started it (it stays warm), so the run is looked up, not captured. While
 * it waits the run's time limit is paused; the process keeps its agent slot (see README).
 */
export async function askTheVisitor(conversationId: string, workspace: Workspace, { tool, input, toolId }: Parameters<AskVisitor>[0]): Promise<Verdict> {
  const run = activeRun(conversationId);
  // A run that is ending (stopped, out of time or budget, shut down) asks nobody.
  if (!run || !run.state.working || run.state.ending) return { behavior: 'deny', message: 'The run was stopped.' };
  const description = describeToolCall({ tool, input, workspaceDir: workspace.filesDir, agentWorkspaceDir: agentWorkspaceDir(workspace) });
  run.timeLimit?.pause();
  run.state.moveTo('waiting_for_approval');
  try {
    return await run.approvals.request({
      tool,
      toolId,
      description,
      timeoutMs: serverEnv().TETHER_APPROVAL_TIMEOUT_SECONDS * 1000,
      onAsked: () =>
        void watchedElsewhere(run.id).then((elsewhere) =>
          announceApprovalNeeded({ conversationId, model: run.model, mode: run.mode, summary: description.summary, watched: run.hasVisibleViewer() || elsewhere }),
        ),
    });
  } finally {
    if (!run.approvals.waiting) {
      run.timeLimit?.resume();
      // The turn may have ended meanwhile (the process died): then it stays finishing.
      if (run.state.phase === 'waiting_for_approval') run.state.moveTo('running');
    }
  }
}
