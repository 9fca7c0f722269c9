import 'server-only';
import { lstatSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { WorkspaceConfig } from '@/features/workspaces';
import { DENIAL_PREFIX, TASK_TOOLS } from '../vocabulary';
import type { AgentMode } from '@/features/conversations/vocabulary';

/**
 * Anonymous visitors drive this agent on our server, so its tools are confined: file tools
 * only inside the workspace folder (checked on real paths, so symlinks can't lead out),
 * no edits in plan mode, shell and web only when the workspace's settings allow them. (In ask
 * mode the visitor then decides on each edit, command and fetch: see `approvals.ts`.)
 */

const readTools = ['Read', 'Glob', 'Grep'];
const editTools = ['Write', 'Edit', 'NotebookEdit'];
const shellTools = ['Bash'];
const webTools = ['WebFetch', 'WebSearch'];
/**
 * The agent's own checklist (the page shows it as the plan), and subagents (whose every tool call
 * is checked like the agent's): they touch nothing themselves. The checklist is the CLI's task
 * list, not TodoWrite: this CLI (2.1.330) offers TodoWrite only with its task tools switched off
 * (CLAUDE_CODE_ENABLE_TASKS=false) and drops it silently from a `tools` list that names it, so
 * naming TodoWrite here left the agent with no checklist at all; and one way to plan is clearer
 * to the model than two.
 */
const planTools = [...TASK_TOOLS, 'Agent'];

/** The built-in tools the agent is offered at all. */
export function availableTools(mode: AgentMode, config: WorkspaceConfig): string[] {
  return [...readTools, ...(mode !== 'plan' ? editTools : []), ...(config.allowBash ? shellTools : []), ...(config.allowWeb ? webTools : []), ...planTools];
}

export type ToolDecision = { allowed: true } | { allowed: false; reason: string };

export function checkToolUse({
  toolName,
  input,
  workspaceDir,
  agentWorkspaceDir = workspaceDir,
  mode,
  config,
}: {
  toolName: string;
  input: Record<string, unknown>;
  /** The workspace's real path on this machine. */
  workspaceDir: string;
  /** The same folder as the agent sees it (`/workspace` inside the sandbox). */
  agentWorkspaceDir?: string;
  mode: AgentMode;
  config: WorkspaceConfig;
}): ToolDecision {
  if (!availableTools(mode, config).includes(toolName)) {
    const why = editTools.includes(toolName) && mode === 'plan' ? 'plan mode is read-only' : 'this tool is turned off in this workspace';
    return deny(`${toolName} is not allowed (${why}).`);
  }
  if (shellTools.includes(toolName) || webTools.includes(toolName)) return { allowed: true };
  for (const target of pathsIn(input)) {
    const host = hostPath(target, agentWorkspaceDir, workspaceDir);
    if (host === null || !isInside(host, workspaceDir)) return deny(`${target} is outside this workspace.`);
  }
  const pattern = input[toolName === 'Glob' ? 'pattern' : 'glob'];
  if (typeof pattern === 'string' && globLeavesFolder(pattern)) return deny(`the pattern ${pattern} reaches outside this workspace.`);
  return { allowed: true };
}

function deny(message: string): ToolDecision {
  return { allowed: false, reason: `${DENIAL_PREFIX} ${message}` };
}

/** Every path a file tool would touch. */
function pathsIn(input: Record<string, unknown>): string[] {
  return ['file_path', 'path', 'notebook_path'].map((key) => input[key]).filter((value): value is string => typeof value === 'string' && value.length > 0);
}

/**
 * Glob patterns are relative to the tool's folder; one that starts an alternative at the root or
 * home (`/etc/*`, `{/etc,src}/*`, `~/x`) or climbs with `..` would match files outside it.
 */
function globLeavesFolder(pattern: string): boolean {
  return /(^|[{,])\s*[/~]/.test(pattern) || /(^|[/{,])\.\.([/},]|$)/.test(pattern);
}

/**
 * The path on this machine that the agent means: only paths under its view of the workspace
 * translate; anything else (another folder, `~`) is null.
 */
function hostPath(target: string, agentDir: string, hostDir: string): string | null {
  if (target.startsWith('~')) return null;
  const absolute = path.resolve(agentDir, target);
  if (absolute !== agentDir && !absolute.startsWith(agentDir + path.sep)) return null;
  return path.join(hostDir, path.relative(agentDir, absolute));
}

/** True when the path, with every symlink resolved, stays inside root (itself a real path). */
export function isInside(target: string, root: string): boolean {
  if (target.startsWith('~')) return false;
  const absolute = path.resolve(root, target);
  const real = realpathOfNearestExisting(absolute);
  return real !== null && (real === root || real.startsWith(root + path.sep));
}

/**
 * realpath for a file that may not exist yet (Write creates it): resolve its closest existing
 * ancestor. A dangling symlink counts as existing (lstat), and since nobody can tell where
 * writing through it would land, it resolves to null and is refused.
 */
function realpathOfNearestExisting(absolute: string): string | null {
  let existing = absolute;
  const rest: string[] = [];
  while (!lexists(existing)) {
    const parent = path.dirname(existing);
    if (parent === existing) break;
    rest.unshift(path.basename(existing));
    existing = parent;
  }
  try {
    return path.join(realpathSync(existing), ...rest);
  } catch {
    return null;
  }
}

function lexists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}
