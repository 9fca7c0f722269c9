import 'server-only';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '@/lib/errors';
import { GitError, runGit, type GitRepo } from '@/lib/git';
import { logger } from '@/lib/logger';
import type { Workspace } from './workspaces';

/**
 * A workspace with `"isolation": "worktree"` gives each conversation a git worktree of its own:
 * `<files>/.tether-worktrees/<conversation id>`, on a branch `tether/<first 8 of the id>` made from
 * the repository's HEAD at the conversation's first message. The worktrees sit inside the files
 * folder so they count against its disk quota; the repository's own exclude list keeps them out
 * of its `git status`, and the Files panel never lists them.
 */
export const WORKTREES_FOLDER = '.tether-worktrees';
const EXCLUDE_LINE = `/${WORKTREES_FOLDER}/`;
const GIT_TIMEOUT_MS = 60_000;

export const conversationBranch = (conversationId: string) => `tether/${conversationId.slice(0, 8)}`;

const usesWorktrees = (workspace: Workspace) => workspace.config.isolation === 'worktree' && !workspace.worktree;
const commonDirOf = (workspace: Workspace) => path.join(workspace.filesDir, '.git');
const worktreePath = (workspace: Workspace, conversationId: string) => path.join(workspace.filesDir, WORKTREES_FOLDER, conversationId);

/** The repository's own folders, for git commands on the repository as a whole (add or remove a worktree, a branch). */
const repositoryOf = (workspace: Workspace): GitRepo => ({ gitDir: commonDirOf(workspace), workTree: workspace.filesDir });

/** Git on the workspace's repository runs none of its hooks: they would run on the host, over files the agent wrote. */
export const gitOnWorkspace = (repo: GitRepo, args: string[], input?: string) =>
  runGit(repo, ['-c', 'core.hooksPath=/dev/null', '-c', 'core.fsmonitor=false', ...args], { deadline: Date.now() + GIT_TIMEOUT_MS, input });

/**
 * The workspace as one conversation sees it: with worktree isolation, and once its first message
 * made its worktree, the files are that worktree's; otherwise the workspace as it is.
 */
export function conversationWorkspace(workspace: Workspace, conversationId: string): Workspace {
  if (!usesWorktrees(workspace)) return workspace;
  const folder = worktreePath(workspace, conversationId);
  if (!existsSync(path.join(folder, '.git'))) return workspace;
  const worktree = {
    conversationId,
    branch: conversationBranch(conversationId),
    path: folder,
    gitDir: path.join(commonDirOf(workspace), 'worktrees', conversationId),
    commonDir: commonDirOf(workspace),
  };
  return { ...workspace, filesDir: realpathSync(folder), worktree };
}

/** conversationWorkspace, making the conversation's worktree first when it has none yet (its first message). */
export async function openConversationWorkspace(workspace: Workspace, conversationId: string): Promise<Workspace> {
  const existing = conversationWorkspace(workspace, conversationId);
  if (existing.worktree || !usesWorktrees(workspace)) return existing;
  assertRepository(workspace);
  keepWorktreesOutOfStatus(workspace);
  mkdirSync(path.join(workspace.filesDir, WORKTREES_FOLDER), { recursive: true });
  const branch = conversationBranch(conversationId);
  try {
    // Locked: a `git worktree prune` (by hand, or by gc) never takes a conversation's worktree away.
    await gitOnWorkspace(repositoryOf(workspace), ['worktree', 'add', '-q', '--lock', '--reason', 'a Tether conversation', '-b', branch, worktreePath(workspace, conversationId), 'HEAD']);
  } catch (error) {
    // Two sends at once: the other one made it.
    const made = conversationWorkspace(workspace, conversationId);
    if (made.worktree) return made;
    throw new AppError('conflict:worktree', `The conversation's git worktree could not be made (${error instanceof GitError ? error.message : String(error)}).`);
  }
  logger.info('made a conversation worktree', { workspace: workspace.name, conversationId, branch });
  return conversationWorkspace(workspace, conversationId);
}

function assertRepository(workspace: Workspace): void {
  const common = commonDirOf(workspace);
  if (!existsSync(path.join(common, 'HEAD')) || !lstatSync(common).isDirectory()) {
    throw new AppError(
      'conflict:not_a_repository',
      `Workspace "${workspace.name}" gives each conversation a git worktree ("isolation": "worktree"), but its files are not a git repository. Run \`git init\` and make a first commit in its files folder, or remove "isolation" from workspace.json.`,
    );
  }
}

function keepWorktreesOutOfStatus(workspace: Workspace): void {
  const exclude = path.join(commonDirOf(workspace), 'info', 'exclude');
  const lines = existsSync(exclude) ? readFileSync(exclude, 'utf8') : '';
  if (lines.split('\n').includes(EXCLUDE_LINE)) return;
  mkdirSync(path.dirname(exclude), { recursive: true });
  writeFileSync(exclude, `${lines}${lines === '' || lines.endsWith('\n') ? '' : '\n'}${EXCLUDE_LINE}\n`);
}

/** Removes the conversation's worktree (deleted or expired), and its branch too when workspace.json says `"worktreeBranches": "delete"`. */
export async function removeConversationWorktree(workspace: Workspace, conversationId: string): Promise<void> {
  if (workspace.config.isolation !== 'worktree') return;
  const folder = worktreePath(workspace, conversationId);
  const repo = repositoryOf(workspace);
  if (existsSync(folder)) {
    // Twice --force: it is locked, and may hold changes never committed (the conversation is gone).
    await gitOnWorkspace(repo, ['worktree', 'remove', '--force', '--force', folder]).catch((error: unknown) => {
      logger.warn('git could not remove a conversation worktree: deleting its folder', { workspace: workspace.name, conversationId, error });
      rmSync(folder, { recursive: true, force: true, maxRetries: 5 });
      return gitOnWorkspace(repo, ['worktree', 'prune']);
    });
  }
  if (workspace.config.worktreeBranches === 'delete') await gitOnWorkspace(repo, ['branch', '-D', '-q', conversationBranch(conversationId)]).catch(() => {});
}

/** The conversations that have a worktree in the workspace (for the sweep of those whose conversation is gone). */
export function worktreeConversations(workspace: Workspace): string[] {
  const folder = path.join(workspace.filesDir, WORKTREES_FOLDER);
  if (workspace.config.isolation !== 'worktree' || !existsSync(folder)) return [];
  return readdirSync(folder).filter((name) => /^[0-9a-f-]{36}$/.test(name));
}
