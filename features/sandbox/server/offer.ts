import 'server-only';
import type { Workspace } from '@/features/workspaces/server';
import { AppError } from '@/lib/errors';
import { serverEnv } from '@/lib/env';
import { agentModes, type AgentMode } from '@/features/conversations/vocabulary';

/**
 * What a workspace offers: models and modes. (The fair-use limits themselves live in
 * features/limits, shared by every instance.)
 */

/** The models this workspace offers: the server's, narrowed by the workspace's settings. */
export function offeredModels(workspace: Workspace): string[] {
  const all = serverEnv().TETHER_MODELS;
  return workspace.config.models ? all.filter((model) => workspace.config.models!.includes(model)) : all;
}

export function offeredModes(workspace: Workspace): AgentMode[] {
  return workspace.config.modes ? agentModes.filter((mode) => workspace.config.modes!.includes(mode)) : [...agentModes];
}

export function assertOffered({ workspace, model, mode }: { workspace: Workspace; model: string; mode: AgentMode }): void {
  const models = offeredModels(workspace);
  if (!models.includes(model)) throw new AppError('bad_request:unknown_model', `The model "${model}" is not offered here. Choose one of: ${models.join(', ')}.`);
  const modes = offeredModes(workspace);
  if (!modes.includes(mode)) throw new AppError('bad_request:mode_not_offered', `This workspace offers ${modes.join(' and ')} mode only.`);
}

/**
 * What a new conversation starts with unless the visitor picked otherwise: the first model on
 * offer, build mode where offered (the browser's own defaults; pre-warmed agents use these).
 */
export function defaultChoice(workspace: Workspace): { model: string; mode: AgentMode } {
  const modes = offeredModes(workspace);
  return { model: offeredModels(workspace)[0]!, mode: modes.includes('build') ? 'build' : modes[0]! };
}
