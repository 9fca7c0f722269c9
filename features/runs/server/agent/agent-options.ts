import 'server-only';
import type { Options } from '@anthropic-ai/claude-agent-sdk';
import type { Workspace } from '@/features/workspaces/server';
import { dataDir } from '@/lib/data-dir';
import { processPath, serverEnv } from '@/lib/env';
import type { AgentMode } from '../../types';
import type { ModelEndpoint } from './model-endpoint';
import { availableTools, checkToolUse } from './tool-guard';

/** The CLI's config dir (and so its transcripts): one per instance, outside every workspace's files. */
export function claudeConfigDir(): string {
  return dataDir('claude');
}

/**
 * The SDK's transcript readers take CLAUDE_CONFIG_DIR from this process's environment, so it is
 * set once to the same dir the CLI children write to.
 */
export function exportClaudeConfigDir(): void {
  process.env.CLAUDE_CONFIG_DIR = claudeConfigDir();
}

export function agentOptions({ workspace, mode, model, resume, endpoint }: {
  workspace: Workspace;
  mode: AgentMode;
  model: string;
  resume: string | undefined;
  endpoint: ModelEndpoint;
}): Options {
  const tmp = dataDir('tmp');
  const maxRetries = serverEnv().TETHER_AGENT_MAX_RETRIES;
  return {
    cwd: workspace.filesDir,
    model,
    resume,
    includePartialMessages: true,
    settingSources: [],
    tools: availableTools(mode, workspace.config),
    permissionMode: 'default',
    canUseTool: async (toolName, input) => {
      const decision = checkToolUse({ toolName, input, workspaceDir: workspace.filesDir, mode, config: workspace.config });
      return decision.allowed ? { behavior: 'allow', updatedInput: input } : { behavior: 'deny', message: decision.reason };
    },
    // The SDK's env replaces the child's environment entirely: pass only what it needs.
    env: {
      PATH: processPath(),
      HOME: dataDir('agent-home'),
      CLAUDE_CONFIG_DIR: claudeConfigDir(),
      CLAUDE_CODE_TMPDIR: tmp,
      TMPDIR: tmp,
      XDG_RUNTIME_DIR: tmp,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
      CLAUDE_AGENT_SDK_CLIENT_APP: 'tether/0.1',
      ANTHROPIC_API_KEY: endpoint.apiKey,
      ...(endpoint.baseUrl ? { ANTHROPIC_BASE_URL: endpoint.baseUrl } : {}),
      ...(maxRetries !== undefined ? { CLAUDE_CODE_MAX_RETRIES: String(maxRetries) } : {}),
    },
  };
}
