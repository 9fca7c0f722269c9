import 'server-only';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { snapshotsGitDir, type Workspace } from '@/features/workspaces/server';
import { serverEnv } from '@/lib/env';
import { logger } from '@/lib/logger';
import { GitError, runGit, type GitRepo } from '@/lib/git';

/** Left out of snapshots unless the workspace's `snapshotIgnore` says otherwise (its own `.git/` always is: git never adds one). */
export const DEFAULT_SNAPSHOT_IGNORE = ['node_modules/', '.next/'];

/**
 * Highest-precedence attributes: whatever the workspace's .gitattributes says, files go into the
 * snapshot and come back out byte for byte (no line-ending conversion, filters or encodings), and
 * the diff decides by itself what is binary.
 */
const ATTRIBUTES = '* -text -filter -ident -working-tree-encoding !eol !diff\n';

const CONFIG: Array<[string, string]> = [
  ['core.autocrlf', 'false'],
  ['core.symlinks', 'true'],
  ['core.filemode', 'true'],
  ['core.untrackedCache', 'true'],
  ['core.quotePath', 'false'],
];

/**
 * Work on one shadow repository, one at a time in this process (other instances meet git's own
 * locks). On globalThis: route handlers and the server's start get separate module copies, and a
 * queue per copy would let a run's snapshot and a sweep's gc overlap.
 */
const store = globalThis as { tetherSnapshotQueues?: Map<string, Promise<unknown>> };
const queues = (store.tetherSnapshotQueues ??= new Map());

export function inRepoQueue<T>(gitDir: string, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(gitDir) ?? Promise.resolve();
  const next = previous.then(work, work);
  const settled = next.catch(() => {});
  queues.set(gitDir, settled);
  void settled.then(() => queues.get(gitDir) === settled && queues.delete(gitDir));
  return next;
}

/** When a snapshot begun now must be done. */
export const snapshotDeadline = () => Date.now() + serverEnv().TETHER_SNAPSHOT_TIMEOUT_SECONDS * 1000;

/**
 * The shadow repository of the workspace's files. A conversation's own worktree shares the
 * workspace's store (its files are mostly the same), with an index of its own (one index for
 * several work trees would be rebuilt, every file hashed again, at each switch), kept in the
 * worktree's git folder so it goes with the worktree.
 */
export function repoOf(workspace: Workspace): GitRepo {
  const repo = { gitDir: snapshotsGitDir(workspace), workTree: workspace.filesDir };
  return workspace.worktree ? { ...repo, indexFile: path.join(workspace.worktree.gitDir, 'tether-snapshots.index') } : repo;
}

/** The index the repository's snapshots of these files stage into. */
export const indexOf = (repo: GitRepo) => repo.indexFile ?? path.join(repo.gitDir, 'index');

/** The workspace's shadow repository, made when missing (or left half-made), with the workspace's ignore list in place. */
export async function openRepo(workspace: Workspace, deadline: number): Promise<GitRepo> {
  const repo = repoOf(workspace);
  if (!isWhole(repo.gitDir)) await makeRepo(repo, deadline);
  const exclude = path.join(repo.gitDir, 'info', 'exclude');
  const wanted = `${(workspace.config.snapshotIgnore ?? DEFAULT_SNAPSHOT_IGNORE).join('\n')}\n`;
  if (!existsSync(exclude) || readFileSync(exclude, 'utf8') !== wanted) writeFileSync(exclude, wanted);
  return repo;
}

const isWhole = (gitDir: string) => ['HEAD', 'config', 'objects', 'refs', 'info/attributes'].every((entry) => existsSync(path.join(gitDir, entry)));

async function makeRepo(repo: GitRepo, deadline: number): Promise<void> {
  if (existsSync(repo.gitDir)) {
    logger.warn('a snapshot repository was incomplete: making it again (earlier runs can no longer be undone)', { gitDir: repo.gitDir });
    rmSync(repo.gitDir, { recursive: true, force: true });
  }
  mkdirSync(path.dirname(repo.gitDir), { recursive: true });
  await runGit(repo, ['init', '-q'], { deadline });
  for (const [key, value] of CONFIG) await runGit(repo, ['config', key, value], { deadline });
  mkdirSync(path.join(repo.gitDir, 'info'), { recursive: true });
  writeFileSync(path.join(repo.gitDir, 'info', 'attributes'), ATTRIBUTES);
}

/** What git says when its index or objects are damaged (a disk fault, a copy cut short), not when it is merely busy. */
const DAMAGED = /corrupt|bad signature|index file smaller|unable to read|bad object|invalid object|not a git repository|is empty|unknown index entry format|fatal: loose object/i;
const LOCKED = /\.lock': File exists|Unable to create '.*\.lock'|cannot lock ref/i;
const LOCK_RETRY_MS = 150;

/**
 * Runs `work` on the repository, getting past what can be got past: a lock held by another
 * instance (waited for; one older than any snapshot may take is a crash's leftover, and removed),
 * a damaged index (dropped: the next snapshot hashes the files again), a damaged repository (made
 * again, which loses the earlier runs' snapshots: their Undo then says it can't).
 */
export async function withRepair<T>(workspace: Workspace, deadline: number, work: (repo: GitRepo) => Promise<T>): Promise<T> {
  let repaired: 'none' | 'index' | 'repo' = 'none';
  for (;;) {
    const repo = await openRepo(workspace, deadline);
    try {
      return await work(repo);
    } catch (error) {
      if (!(error instanceof GitError) || error.timedOut) throw error;
      if (LOCKED.test(error.stderr)) {
        clearStaleLocks(repo);
        await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));
        continue;
      }
      if (!DAMAGED.test(error.stderr) || repaired === 'repo') throw error;
      if (repaired === 'none') {
        logger.warn('a snapshot index was damaged: dropping it', { gitDir: repo.gitDir, error: error.message });
        rmSync(indexOf(repo), { force: true });
        repaired = 'index';
      } else {
        logger.warn('a snapshot repository was damaged: making it again (earlier runs can no longer be undone)', { gitDir: repo.gitDir, error: error.message });
        rmSync(repo.gitDir, { recursive: true, force: true });
        repaired = 'repo';
      }
    }
  }
}

function clearStaleLocks(repo: GitRepo): void {
  const staleBefore = Date.now() - 2 * serverEnv().TETHER_SNAPSHOT_TIMEOUT_SECONDS * 1000;
  const lock = `${indexOf(repo)}.lock`;
  try {
    if (statSync(lock).mtimeMs < staleBefore) {
      unlinkSync(lock);
      logger.warn('removed a stale snapshot lock', { lock });
    }
  } catch {
    // gone meanwhile: its holder finished
  }
}
