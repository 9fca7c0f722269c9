import 'server-only';
import path from 'node:path';
import { AppError } from '@/lib/errors';
import { nulList, type GitRepo } from '@/lib/git';
import type { BranchLog, Worktree } from '../types';
import type { Workspace } from './workspaces';
import { gitOnWorkspace } from './worktrees';

/** At most this many of a branch's commits are listed. */
const MAX_LISTED = 50;
/** Who commits when the repository names nobody (the operator's own git settings are not read). */
const FALLBACK_AUTHOR = ['-c', 'user.name=Tether', '-c', 'user.email=tether@localhost'];

const worktreeOf = (workspace: Workspace): Worktree => {
  if (!workspace.worktree) throw new AppError('not_found:worktree', 'This conversation has no git worktree: its workspace has no worktree isolation, or its first message has not been sent yet.');
  return workspace.worktree;
};

const inWorktree = (worktree: Worktree): GitRepo => ({ gitDir: worktree.gitDir, workTree: worktree.path });
/** The repository's main work tree: its HEAD is what conversations branch from (and what they are listed against). */
const inRepository = (worktree: Worktree): GitRepo => ({ gitDir: worktree.commonDir, workTree: path.dirname(worktree.commonDir) });

/**
 * "Commit": everything in the conversation's worktree (what its .gitignore leaves out aside), as
 * one commit on its branch with the visitor's message. Answers the commit's id and the branch's
 * log; 409 when there is nothing to commit.
 */
export async function commitConversation(workspace: Workspace, message: string): Promise<BranchLog & { commit: string }> {
  const worktree = worktreeOf(workspace);
  const repo = inWorktree(worktree);
  await gitOnWorkspace(repo, ['add', '-A']);
  const staged = nulList((await gitOnWorkspace(repo, ['diff', '--cached', '--name-only', '-z'])).stdout);
  if (staged.length === 0) throw new AppError('conflict:nothing_to_commit', `Nothing to commit: the files are as the last commit on ${worktree.branch} has them.`);
  const named = await gitOnWorkspace(repo, ['config', 'user.email']).then(
    () => true,
    () => false,
  );
  await gitOnWorkspace(repo, [...(named ? [] : FALLBACK_AUTHOR), 'commit', '-q', '--no-verify', '-F', '-'], message);
  const commit = (await gitOnWorkspace(repo, ['rev-parse', 'HEAD'])).stdout.toString('utf8').trim();
  return { commit, ...(await branchLog(workspace)) };
}

/** The conversation's branch and its commits that the repository's HEAD doesn't have yet, newest first. */
export async function branchLog(workspace: Workspace): Promise<BranchLog> {
  const worktree = worktreeOf(workspace);
  // One line per commit, its fields apart by a unit separator (a subject is one line, and holds none).
  const { stdout } = await gitOnWorkspace(inRepository(worktree), ['log', `--max-count=${MAX_LISTED}`, '--format=%H%x1f%s%x1f%cI', worktree.branch, '--not', 'HEAD', '--']);
  const lines = stdout.toString('utf8').split('\n').filter(Boolean);
  const commits = lines.map((line) => {
    const [id = '', subject = '', committedAt = ''] = line.split('\x1f');
    return { id, subject, committedAt };
  });
  return { branch: worktree.branch, commits };
}
