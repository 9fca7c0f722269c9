import 'server-only';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { HookCallback, Options, SessionStore } from '@anthropic-ai/claude-agent-sdk';
import type { Workspace } from '@/features/workspaces/server';
import { serverEnv } from '@/lib/env';
import type { AgentMode } from '@/features/conversations/vocabulary';
import { agentPaths, agentWorkspaceDir, effectiveConfig, sandboxedSpawner, sandboxState } from '@/features/sandbox/server';
import { offeredModels } from '@/features/sandbox/server';
import type { ModelDoor } from '@/features/sandbox/server';
import { cheapestModel } from '@/features/sandbox/server';
import type { ModelEndpoint } from '@/features/sandbox/server';
import { loopbackBridge, unconfinedSpawner } from '@/features/sandbox/server';
import { availableTools, checkToolUse } from './tool-guard';
import { SHARED_PROJECT_KEY } from './transcript';
import { mirroredTranscriptStore } from './transcript-mirror';
import { Approvals, type Verdict } from '@/features/approvals/server';

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

export function agentOptions({
  conversationId,
  workspace,
  mode,
  model,
  resume,
  resumeAt,
  endpoint,
  door,
  loopback,
  askVisitor,
  turnsLeft,
  spare,
}: {
  conversationId: string;
  /**
   * A pre-warmed spare's: the home it starts with (adopted by its conversation later), and who it
   * belongs to by then (`owner`, asked when its transcript is written, never before its first message).
   */
  spare?: { home: string; owner: () => string };
  workspace: Workspace;
  mode: AgentMode;
  model: string;
  resume: string | undefined;
  /** With `resume`: the session is taken up to this entry, and what followed it is left behind (Retry, Edit). */
  resumeAt?: string;
  endpoint: ModelEndpoint;
  /** The process's way to the model API: what may pass, and what it spent. */
  door: ModelDoor;
  /** Without the sandbox: the server's loopback bridge (`loopbackBridge()`), which the door sits on. */
  loopback: Awaited<ReturnType<typeof loopbackBridge>> | null;
  /** Needed in ask mode. */
  askVisitor?: AskVisitor;
  /** A continued run's turns left of TETHER_MAX_TURNS (its first half used the rest). */
  turnsLeft?: number;
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
    resumeSessionAt: resume ? resumeAt : undefined,
    includePartialMessages: true,
    settingSources: [],
    tools: availableTools(mode, config),
    permissionMode: 'default',
    // Per-run fair use: model round trips for one message (its cost is the door's to meter).
    maxTurns: turnsLeft ?? env.TETHER_MAX_TURNS,
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
    ...(env.transcripts === 'database' ? { sessionStore: spare ? adoptedTranscriptStore(spare.owner) : mirroredTranscriptStore(conversationId), sessionStoreFlush: 'eager' as const } : {}),
    spawnClaudeCodeProcess: sandboxed
      ? sandboxedSpawner({ conversationId, workspace, home: spare?.home, writable: mode !== 'plan', allowWeb: config.allowWeb, endpoint, door })
      : unconfinedSpawner({ bridge: requireLoopback(loopback), door }),
    // The SDK's env replaces the child's environment entirely: pass only what it needs. The
    // spawner adds a token its bridge accepts and the bridge's address: the key stays outside.
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
      // The CLI's own small tasks and subagents' model aliases name offered models only: the door
      // refuses any other.
      ANTHROPIC_SMALL_FAST_MODEL: cheapestModel(offeredModels(workspace)),
      ANTHROPIC_DEFAULT_HAIKU_MODEL: cheapestModel(offeredModels(workspace)),
      ANTHROPIC_DEFAULT_SONNET_MODEL: model,
      ANTHROPIC_DEFAULT_OPUS_MODEL: model,
      ...(env.transcripts === 'database' ? { CLAUDE_CODE_PROJECT_DIR_NAME: SHARED_PROJECT_KEY } : {}),
      ...(maxRetries !== undefined ? { CLAUDE_CODE_MAX_RETRIES: String(maxRetries) } : {}),
    },
  };
}

/**
 * What an agent process was started with that it can't change: a turn with other settings needs
 * a new one. (Its tools follow the mode, so a mode switch does; a model switch does not.)
 */
export function processKey(mode: AgentMode, workspace: Workspace): string {
  return JSON.stringify([mode, workspace.config]);
}

/** A spare's transcript store: the conversation that adopted it, looked up as each call comes. */
function adoptedTranscriptStore(owner: () => string): SessionStore {
  const store = () => mirroredTranscriptStore(owner());
  return {
    append: (key, entries) => store().append(key, entries),
    load: (key) => store().load(key),
    listSessions: (projectKey) => store().listSessions!(projectKey),
    listSubkeys: (key) => store().listSubkeys!(key),
    delete: (key) => store().delete!(key),
  };
}

function requireLoopback<T>(bridge: T | null): T {
  if (!bridge) throw new Error('An agent without the sandbox needs the loopback model bridge (loopbackBridge()).');
  return bridge;
}
