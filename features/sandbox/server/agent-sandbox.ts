import 'server-only';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { SpawnedProcess, SpawnOptions } from '@anthropic-ai/claude-agent-sdk';
import type { WorkspaceConfig } from '@/features/workspaces';
import type { Workspace } from '@/features/workspaces/server';
import { dataDir, dataPath } from '@/lib/data-dir';
import { processPath, serverEnv } from '@/lib/env';
import { logger } from '@/lib/logger';
import { probeSandbox, SANDBOX_PATH, SANDBOX_UID } from '@/lib/sandbox/bubblewrap';
import { createCgroup, sweepCgroups } from '@/lib/sandbox/cgroup';
import { startModelBridge, type BridgeDoor } from '@/lib/sandbox/model-bridge';
import { spawnSandboxed } from '@/lib/sandbox/sandboxed-process';
import { startWebProxy, type WebAllowance } from '@/lib/sandbox/web-proxy';
import type { ModelEndpoint } from './model-endpoint';

/**
 * Every agent process runs in an OS sandbox (bubblewrap) that shows it the system folders
 * read-only, the CLI, the workspace's files (read-only in plan mode) and a home of its own
 * conversation — nothing else of the data root — and whose only network exit is a bridge to the
 * model API that adds the real key outside. Without a working sandbox the server refuses to
 * start, except on a localhost base domain (the quick start) or when TETHER_ALLOW_UNSANDBOXED
 * says so: then agents run unconfined, with Bash and web tools off everywhere, and the UI says so.
 */

export type SandboxState = { sandboxed: true } | { sandboxed: false; reason: string };

/** Where things are as the sandboxed agent sees them. */
const INSIDE = { workspace: '/workspace', repository: '/repository.git', home: '/home/agent', cli: '/opt/claude', bridge: '/bridge', modelPort: 8080, webPort: 8081 } as const;

const LIMITS = {
  fileSizeBytes: 512 * 1024 * 1024,
  openFiles: 1024,
  tmpBytes: 256 * 1024 * 1024,
  // A CLI with a few Bash children; a fork bomb stops here.
  maxProcesses: 256,
};

const store = globalThis as { tetherSandbox?: SandboxState };

/**
 * Probes the sandbox once per process and decides whether agents may run: throws when they may
 * not (no sandbox on a public base domain without the explicit override).
 */
export function sandboxState(): SandboxState {
  if (store.tetherSandbox) return store.tetherSandbox;
  const env = serverEnv();
  const probe = probeSandbox(env.TETHER_BWRAP_PATH);
  if (probe.available) {
    warnIfUnlimited();
    return (store.tetherSandbox = { sandboxed: true });
  }
  const local = env.TETHER_BASE_DOMAIN === 'localhost' || env.TETHER_BASE_DOMAIN.endsWith('.localhost');
  if (!local && !env.TETHER_ALLOW_UNSANDBOXED) {
    throw new Error(
      `The agent sandbox is not available: ${probe.reason}. Install bubblewrap and socat (apt-get install -y bubblewrap socat), ` +
        `or set TETHER_ALLOW_UNSANDBOXED=true to run agents unconfined on ${env.TETHER_BASE_DOMAIN} (not safe for anonymous visitors).`,
    );
  }
  const warning = local
    ? 'Agents run UNSANDBOXED (local development only): Bash and web tools are off in every workspace.'
    : 'TETHER_ALLOW_UNSANDBOXED is set: agents of anonymous visitors run UNSANDBOXED on a public domain. Bash and web tools are off, but the file tools rely on the tool guard alone. Install bubblewrap and socat.';
  logger.warn(warning, { reason: probe.reason });
  return (store.tetherSandbox = { sandboxed: false, reason: probe.reason });
}

/** The workspace's settings as agents get them: no shell and no web without the sandbox. */
export function effectiveConfig(config: WorkspaceConfig): WorkspaceConfig {
  return sandboxState().sandboxed ? config : { ...config, allowBash: false, allowWeb: false };
}

/**
 * The conversation's own home on the host: the CLI's config (and so its transcripts) and temp
 * files. Only a path: readers and deleters must not create it; starting an agent does.
 */
export function agentHome(conversationId: string): string {
  return dataPath('agents', conversationId);
}

/**
 * The CLI names a transcript's folder after its working folder: `-workspace` in the sandbox; the
 * workspace's real path (as `unsandboxedKey`, what it was written under) without it.
 */
export function agentProjectKey(unsandboxedKey: string): string {
  return sandboxState().sandboxed ? '-workspace' : unsandboxedKey;
}

/** The workspace folder as the agent sees it (its tool calls name paths under it). */
export function agentWorkspaceDir(workspace: Workspace): string {
  return sandboxState().sandboxed ? INSIDE.workspace : workspace.filesDir;
}

/** HOME, config and temp folders for the agent's environment, as it sees them. */
export function agentPaths(conversationId: string): { home: string; configDir: string; tmp: string; path: string } {
  if (sandboxState().sandboxed) return { home: INSIDE.home, configDir: `${INSIDE.home}/.claude`, tmp: '/tmp', path: SANDBOX_PATH };
  const home = agentHome(conversationId);
  return { home, configDir: path.join(home, '.claude'), tmp: dataDir('agents', conversationId, 'tmp'), path: processPath() };
}

/**
 * The SDK's `spawnClaudeCodeProcess` for one conversation's agent: the CLI in a sandbox, its
 * model API reached through a bridge of its own that holds a fresh token for this process alone.
 */
export function sandboxedSpawner({
  conversationId,
  workspace,
  writable,
  allowWeb,
  endpoint,
  door,
  home,
}: {
  conversationId: string;
  workspace: Workspace;
  /** The host folder shown as the agent's home: the conversation's own, or a spare's until it is adopted. */
  home?: string;
  writable: boolean;
  /** Gives the sandbox a web proxy that reaches public addresses only. */
  allowWeb: boolean;
  endpoint: ModelEndpoint;
  /** What this process may do through its bridge (and its web proxy), and what it spends. */
  door: BridgeDoor & { web: WebAllowance };
}): (options: SpawnOptions) => SpawnedProcess {
  return (options) => {
    // Short, private and fresh: Unix socket paths are limited to ~107 bytes.
    const runtimeDir = mkdtempSync(path.join(tmpdir(), 'tether-'));
    const token = randomBytes(32).toString('base64url');
    const bridge = startModelBridge({
      socketPath: path.join(runtimeDir, 'model.sock'),
      upstream: { baseUrl: endpoint.baseUrl, apiKey: endpoint.apiKey },
      onError: (error) => logger.error('model bridge failed', { conversationId, error }),
    });
    bridge.doors.set(token, door);
    const web = allowWeb
      ? startWebProxy({ socketPath: path.join(runtimeDir, 'web.sock'), allowance: door.web, onError: (error) => logger.error('web proxy failed', { conversationId, error }) })
      : null;
    const webProxyUrl = `http://127.0.0.1:${INSIDE.webPort}`;
    // Resuming from a transcript store, the SDK writes the session into a fresh config folder of
    // its own (deleted when the process ends) and points the CLI at it: show it at the same path.
    const configDir = options.env.CLAUDE_CONFIG_DIR;
    const resumeConfigDir = configDir && configDir !== agentPaths(conversationId).configDir ? configDir : null;
    const { child } = spawnSandboxed({
      bwrapPath: serverEnv().TETHER_BWRAP_PATH,
      signal: options.signal,
      cgroup: { name: path.basename(runtimeDir).replace(/^tether-/, ''), memoryBytes: serverEnv().TETHER_AGENT_MEMORY_MB * 1024 * 1024, maxProcesses: LIMITS.maxProcesses },
      spec: {
        mounts: [
          { host: path.dirname(options.command), inside: INSIDE.cli, writable: false },
          { host: workspace.filesDir, inside: INSIDE.workspace, writable },
          { host: home ?? dataDir('agents', conversationId), inside: INSIDE.home, writable: true },
          { host: runtimeDir, inside: INSIDE.bridge, writable: false },
          ...worktreeMounts(workspace, runtimeDir),
          ...(resumeConfigDir ? [{ host: resumeConfigDir, inside: resumeConfigDir, writable: true }] : []),
        ],
        files: etcFiles(),
        forwards: [{ port: INSIDE.modelPort, socket: `${INSIDE.bridge}/model.sock` }, ...(web ? [{ port: INSIDE.webPort, socket: `${INSIDE.bridge}/web.sock` }] : [])],
        env: {
          ...definedOnly(options.env),
          ANTHROPIC_API_KEY: token,
          ANTHROPIC_BASE_URL: `http://127.0.0.1:${INSIDE.modelPort}`,
          // Both spellings: the CLI reads one, curl and friends the other; the bridge is direct.
          ...(web ? { HTTPS_PROXY: webProxyUrl, HTTP_PROXY: webProxyUrl, https_proxy: webProxyUrl, http_proxy: webProxyUrl, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' } : {}),
        },
        cwd: INSIDE.workspace,
        limits: LIMITS,
        command: [`${INSIDE.cli}/${path.basename(options.command)}`, ...options.args],
      },
    });
    if (child.stderr) {
      // bwrap and the bridge's own start-up speak up here when the sandbox fails; the CLI is quiet.
      createInterface({ input: child.stderr }).on('line', (line) => logger[/^(bwrap|sandbox):/.test(line) ? 'warn' : 'debug']('agent sandbox', { conversationId, line }));
    }
    child.once('exit', () => {
      void bridge.close();
      void web?.close();
      rmSync(runtimeDir, { recursive: true, force: true });
    });
    return child as SpawnedProcess;
  };
}

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** A user database with the agent alone, and a hosts file with localhost only: nothing of the host's. */
let etc: Array<{ host: string; inside: string; writable: false }> | undefined;
/**
 * A conversation's worktree names its git folder by its path on the host, which the sandbox
 * hasn't got: it sees the repository read-only at INSIDE.repository, and a `.git` file over the
 * worktree's that points there. Read-only: the agent's git reads history, diffs and status, but
 * writes no hook or config that the server's own git (Commit) would then obey on the host, and
 * moves no other conversation's branch. Committing is the conversation's Commit.
 */
function worktreeMounts(workspace: Workspace, runtimeDir: string) {
  if (!workspace.worktree) return [];
  const gitFile = path.join(runtimeDir, 'worktree.git');
  writeFileSync(gitFile, `gitdir: ${INSIDE.repository}/worktrees/${path.basename(workspace.worktree.gitDir)}\n`);
  return [
    { host: workspace.worktree.commonDir, inside: INSIDE.repository, writable: false },
    { host: gitFile, inside: `${INSIDE.workspace}/.git`, writable: false },
  ];
}

function etcFiles() {
  if (etc) return etc;
  const dir = dataDir('sandbox-etc');
  const files = {
    passwd: `root:x:0:0:root:/root:/usr/sbin/nologin\nagent:x:${SANDBOX_UID}:${SANDBOX_UID}:Tether agent:${INSIDE.home}:/bin/sh\n`,
    group: `root:x:0:\nagent:x:${SANDBOX_UID}:\n`,
    hosts: '127.0.0.1 localhost\n::1 localhost\n',
  };
  etc = Object.entries(files).map(([name, content]) => {
    const host = path.join(dir, name);
    writeFileSync(host, content);
    return { host, inside: `/etc/${name}`, writable: false as const };
  });
  return etc;
}

/** Says at start when this machine gives the server no cgroup to limit each sandbox's memory and processes in. */
function warnIfUnlimited() {
  sweepCgroups();
  const probe = createCgroup(`probe-${process.pid}`, { memoryBytes: serverEnv().TETHER_AGENT_MEMORY_MB * 1024 * 1024, maxProcesses: LIMITS.maxProcesses });
  if (probe) return probe.remove();
  logger.warn('Agent sandboxes will run without memory and process-count limits: the server may not create cgroups here (see the README).');
}
