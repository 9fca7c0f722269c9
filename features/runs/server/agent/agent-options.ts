import 'server-only';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { HookCallback, Options } from '@anthropic-ai/claude-agent-sdk';
import type { Workspace } from '@/features/workspaces/server';
import { serverEnv } from '@/lib/env';
import type { AgentMode } from '../../types';
import { agentPaths, agentWorkspaceDir, effectiveConfig, sandboxedSpawner, sandboxState } from './agent-sandbox';
import type { ModelEndpoint } from './model-endpoint';
import { availableTools, checkToolUse } from './tool-guard';
import { SHARED_PROJECT_KEY } from './transcript';
import { mirroredTranscriptStore } from './transcript-mirror';
import { Approvals, type Verdict } from '../approvals';

const store = globalThis as { tetherClaudeExecutable?: string };

/**
 * The CLI binary (the SDK's platform package), found once. Left to itself the SDK looks for it on
 * every query() and calls process.report.getReport() to tell musl from glibc — which, in a busy
 * server, blocks the event loop for seconds per run (measured: 5.2 s during a burst of sends).
 */
export function claudeExecutable(): string {
  if (store.tetherClaudeExecutable) return store.tetherClaudeExecutable;
  const musl = process.platform === 'linux' && (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime === undefined;
  const name = `@anthropic-ai/claude-agent-sdk-${process.platform}-${process.arch}${musl ? '-musl' : ''}`;
  // Resolved at run time from the app's folder, not by the bundler.
  const manifest = createRequire(path.join(process.cwd(), 'package.json')).resolve(`${name}/package.json`);
  return (store.tetherClaudeExecutable = path.join(path.dirname(manifest), process.platform === 'win32' ? 'claude.exe' : 'claude'));
}

/** In ask mode: puts one tool call to the visitor and resolves with their verdict. */
export type AskVisitor = (call: { tool: string; input: Record<string, unknown>; toolId: string }) => Promise<Verdict>;

/** Tools that edit one file, and the input field naming it. */
const fileEdits: Record<string, string> = { Write: 'file_path', Edit: 'file_path', MultiEdit: 'file_path', NotebookEdit: 'notebook_path' };

export function agentOptions({ conversationId, workspace, mode, model, resume, endpoint, askVisitor, beforeEdit }: {
  conversationId: string;
  workspace: Workspace;
  mode: AgentMode;
  model: string;
  resume: string | undefined;
  endpoint: ModelEndpoint;
  /** Needed in ask mode. */
  askVisitor?: AskVisitor;
  /** Told which file (relative to the workspace) an allowed edit is about to change, before it does. */
  beforeEdit?: (relativePath: string) => void;
}): Options {
  const { sandboxed } = sandboxState();
  const config = effectiveConfig(workspace.config);
  const paths = agentPaths(conversationId);
  const env = serverEnv();
  const maxRetries = env.TETHER_AGENT_MAX_RETRIES;
  const guard = (toolName: string, input: Record<string, unknown>) =>
    checkToolUse({ toolName, input, workspaceDir: workspace.filesDir, agentWorkspaceDir: agentWorkspaceDir(workspace), mode, config });
  const asks = (toolName: string) => mode === 'ask' && Approvals.needsApproval(toolName);
  // The CLI lets some calls through without asking canUseTool (reads of its own config folder,
  // writes to its memory folder, commands it deems read-only); a PreToolUse hook sees every call,
  // so the guard lives there, and in ask mode it sends every acting call on to canUseTool.
  const preToolUse: HookCallback = async (input) => {
    if (input.hook_event_name !== 'PreToolUse') return {};
    const toolInput = (input.tool_input ?? {}) as Record<string, unknown>;
    const decision = guard(input.tool_name, toolInput);
    if (!decision.allowed) return { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: decision.reason } };
    const edited = toolInput[fileEdits[input.tool_name] ?? ''];
    if (beforeEdit && typeof edited === 'string') {
      const relative = path.relative(agentWorkspaceDir(workspace), path.resolve(agentWorkspaceDir(workspace), edited));
      if (relative && !relative.startsWith('..')) beforeEdit(relative.split(path.sep).join('/'));
    }
    return asks(input.tool_name) ? { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'ask' } } : {};
  };
  return {
    pathToClaudeCodeExecutable: claudeExecutable(),
    // The bundled CLI takes MCP servers at initialize; saying so keeps the SDK from warning that
    // an app starting its own CLI leaves them on the command line (Tether passes none).
    mcpServersDelivery: 'initialize',
    cwd: workspace.filesDir,
    model,
    resume,
    includePartialMessages: true,
    settingSources: [],
    tools: availableTools(mode, config),
    permissionMode: 'default',
    // Per-run fair use: model round trips for one message, and optionally its cost.
    maxTurns: env.TETHER_MAX_TURNS,
    ...(env.TETHER_MAX_BUDGET_USD !== undefined ? { maxBudgetUsd: env.TETHER_MAX_BUDGET_USD } : {}),
    hooks: { PreToolUse: [{ hooks: [preToolUse] }] },
    canUseTool: async (toolName, input, { toolUseID }) => {
      const decision = guard(toolName, input);
      if (!decision.allowed) return { behavior: 'deny', message: decision.reason };
      if (!asks(toolName)) return { behavior: 'allow', updatedInput: input };
      const verdict: Verdict = askVisitor ? await askVisitor({ tool: toolName, input, toolId: toolUseID }) : { behavior: 'deny', message: 'Nobody can be asked.' };
      return verdict.behavior === 'allow' ? { behavior: 'allow', updatedInput: input } : verdict;
    },
    // Transcripts in the database: the SDK mirrors each line there as the CLI writes it (eagerly:
    // an instance that dies mid-run loses little), through a queue that outlasts database outages,
    // and resumes a session from there.
    ...(env.transcripts === 'database' ? { sessionStore: mirroredTranscriptStore(conversationId), sessionStoreFlush: 'eager' as const } : {}),
    ...(sandboxed ? { spawnClaudeCodeProcess: sandboxedSpawner({ conversationId, workspace, writable: mode !== 'plan', allowWeb: config.allowWeb, endpoint }) } : {}),
    // The SDK's env replaces the child's environment entirely: pass only what it needs. In the
    // sandbox the spawner swaps the key for a token its bridge accepts, so the key stays outside.
    env: {
      PATH: paths.path,
      HOME: paths.home,
      CLAUDE_CONFIG_DIR: paths.configDir,
      CLAUDE_CODE_TMPDIR: paths.tmp,
      TMPDIR: paths.tmp,
      XDG_RUNTIME_DIR: paths.tmp,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      CLAUDE_CODE_DISABLE_AUTO_MEMORY: '1',
      DISABLE_AUTOUPDATER: '1',
      CLAUDE_AGENT_SDK_CLIENT_APP: 'tether/0.1',
      ...(env.transcripts === 'database' ? { CLAUDE_CODE_PROJECT_DIR_NAME: SHARED_PROJECT_KEY } : {}),
      ...(sandboxed ? {} : { ANTHROPIC_API_KEY: endpoint.apiKey, ...(endpoint.baseUrl ? { ANTHROPIC_BASE_URL: endpoint.baseUrl } : {}) }),
      ...(maxRetries !== undefined ? { CLAUDE_CODE_MAX_RETRIES: String(maxRetries) } : {}),
    },
  };
}
