import 'server-only';
import type { Workspace } from '@/features/workspaces/server';
import { agentOptions, AgentProcess, claimSpare, noteActivity, processKey, type SpareMaker } from '@/features/agents/server';
import { defaultChoice, doorRules, ModelDoor, sandboxState, type ModelEndpoint } from '@/features/sandbox/server';
import type { AgentMode } from '@/features/conversations/vocabulary';
import { isDraining } from '@/features/cluster/server';
import { askTheVisitor } from './approval-bridge';

/**
 * The runs' side of pre-warmed agents (features/agents/server/agent-spares.ts): which workspaces
 * get spares, and a spare started exactly as a new conversation's agent would be, for the
 * workspace's default model and mode. Only in the sandbox (a spare's home is bound to its
 * conversation through the sandbox's mount) and not where each conversation has its own worktree
 * (its files are made with its first message, after the spare was started).
 */
function prewarmable(workspace: Workspace): boolean {
  return sandboxState().sandboxed && workspace.config.isolation !== 'worktree' && !workspace.worktree;
}

/** A run in `workspace` ended: keep its spares topped up for the next new conversation (not while the server drains). */
export function keepSpares(workspace: Workspace, endpoint: ModelEndpoint): void {
  if (prewarmable(workspace) && !isDraining()) noteActivity(workspace.name, spareMaker(workspace, endpoint));
}

/** A new conversation's first message: a spare made for its model and mode, else null (start cold). */
export function spareFor({ conversationId, workspace, model, mode }: { conversationId: string; workspace: Workspace; model: string; mode: AgentMode }): AgentProcess | null {
  return prewarmable(workspace) ? claimSpare({ conversationId, workspace: workspace.name, model, key: processKey(mode, workspace) }) : null;
}

function spareMaker(workspace: Workspace, endpoint: ModelEndpoint): SpareMaker {
  const { model, mode } = defaultChoice(workspace);
  const key = processKey(mode, workspace);
  return {
    model,
    key,
    start: ({ id, home }) => {
      const door = new ModelDoor(doorRules(workspace, endpoint));
      let process: AgentProcess | undefined = undefined;
      // Whose the spare is, asked only once it works for someone: its first message, after adoption.
      const owner = () => {
        if (!process || process.spare) throw new Error('A pre-warmed agent belongs to no conversation until one adopts it.');
        return process.conversationId;
      };
      const options = agentOptions({
        conversationId: id,
        workspace,
        mode,
        model,
        resume: undefined,
        endpoint,
        door,
        loopback: null,
        askVisitor: (call) => askTheVisitor(owner(), workspace, call),
        spare: { home, owner },
      });
      process = new AgentProcess(id, key, options, door);
      return process;
    },
  };
}
