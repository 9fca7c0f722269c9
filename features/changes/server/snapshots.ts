import 'server-only';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import type { Workspace } from '@/features/workspaces/server';
import { AppError } from '@/lib/errors';
import { serverEnv } from '@/lib/env';
import { literalPathspecs, nulList, runGit, type GitRepo } from '@/lib/git';
import { inRepoQueue, repoOf, snapshotDeadline, withRepair } from './shadow-repo';

/**
 * A file a snapshot left out: over TETHER_SNAPSHOT_MAX_FILE_MB, or a folder that is a git
 * repository of its own (git keeps only a pointer to such a folder, not its files). Its size and
 * time tell whether it changed between two snapshots, not what it was.
 */
export type NotKept = { path: string; size: number; mtimeMs: number; reason: 'too_large' | 'repository' };

/** The workspace's files at one moment: a git tree in the workspace's shadow repository, and what it left out. */
export type Snapshot = { tree: string; notKept: NotKept[] };

/** A snapshot's ref keeps its tree (and every file in it) from git's garbage collection. */
export const runSnapshotRef = (runId: string, moment: 'before' | 'after') => `refs/tether/runs/${runId}/${moment}`;

/** At most this many left-out files are named (the rest are still left out). */
const MAX_NOT_KEPT = 200;
const STAT_BATCH = 256;

/**
 * Takes a snapshot of the workspace's files: stages the work tree into the shadow repository's
 * index (files git has seen before and that kept their size and time are not read again, and
 * unchanged contents are stored once), writes the tree, and pins it under `ref`. What the
 * workspace's .gitignore and the ignore list leave out is not in it, nor are files over the size
 * cap. Bounded by TETHER_SNAPSHOT_TIMEOUT_SECONDS; throws an AppError saying why it failed.
 */
export function takeSnapshot(workspace: Workspace, { ref }: { ref?: string } = {}): Promise<Snapshot> {
  const deadline = snapshotDeadline();
  return inRepoQueue(repoOf(workspace).gitDir, () => snapshotInQueue(workspace, deadline, { ref }));
}

/** takeSnapshot, for work already in the repository's queue (Undo's look at now). */
export function snapshotInQueue(workspace: Workspace, deadline: number, { ref }: { ref?: string } = {}): Promise<Snapshot> {
  return withRepair(workspace, deadline, async (repo) => {
    const notKept = await stage(repo, deadline);
    const tree = (await runGit(repo, ['write-tree'], { deadline })).stdout.toString('utf8').trim();
    if (ref) await runGit(repo, ['update-ref', ref, tree], { deadline });
    return { tree, notKept };
  }).catch((error: unknown) => {
    throw new AppError('unavailable:snapshot', snapshotFailure(error));
  });
}

function snapshotFailure(error: unknown): string {
  const seconds = serverEnv().TETHER_SNAPSHOT_TIMEOUT_SECONDS;
  if (error instanceof Error && 'timedOut' in error && error.timedOut) {
    return `Taking a snapshot of the workspace's files took longer than ${seconds} s. Leave large generated folders out of snapshots ("snapshotIgnore" in workspace.json, or the workspace's .gitignore), or raise TETHER_SNAPSHOT_TIMEOUT_SECONDS.`;
  }
  return `A snapshot of the workspace's files could not be taken (${error instanceof Error ? error.message : String(error)}).`;
}

/** Brings the index up to the work tree, leaving out what must not be kept; returns what was left out. */
async function stage(repo: GitRepo, deadline: number): Promise<NotKept[]> {
  const exclude = path.join(repo.gitDir, 'info', 'exclude');
  // Files kept before that the ignore list now leaves out (the operator changed it) leave the index too.
  const nowIgnored = nulList((await runGit(repo, ['ls-files', '-z', '-c', '-i', `--exclude-from=${exclude}`], { deadline })).stdout);
  if (nowIgnored.length > 0) await unstage(repo, nowIgnored, deadline);
  // The files the index does not know as they are: new ones, and changed or removed ones.
  const candidates = nulList((await runGit(repo, ['ls-files', '-z', '-o', '-m', '--exclude-standard'], { deadline })).stdout);
  const notKept = await leftOut(repo.workTree, candidates);
  const tooLarge = notKept.filter((item) => item.reason === 'too_large').map((item) => item.path);
  if (tooLarge.length > 0) await unstage(repo, tooLarge, deadline);
  const excluded = notKept.map((item) => item.path);
  const args = ['add', '-A'];
  if (excluded.length === 0) await runGit(repo, args, { deadline });
  else await runGit(repo, [...args, '--pathspec-from-file=-', '--pathspec-file-nul'], { deadline, input: `.\0${literalPathspecs(excluded, 'exclude,literal')}` });
  return notKept.slice(0, MAX_NOT_KEPT);
}

async function unstage(repo: GitRepo, paths: string[], deadline: number): Promise<void> {
  await runGit(repo, ['rm', '--cached', '-f', '-q', '--ignore-unmatch', '--pathspec-from-file=-', '--pathspec-file-nul'], { deadline, input: literalPathspecs(paths) });
}

/** Of `candidates` (relative paths; a trailing slash is a folder git took for a repository of its own), those a snapshot leaves out. */
async function leftOut(workTree: string, candidates: string[]): Promise<NotKept[]> {
  const maxBytes = serverEnv().TETHER_SNAPSHOT_MAX_FILE_MB * 1024 * 1024;
  const found: NotKept[] = [];
  for (let start = 0; start < candidates.length; start += STAT_BATCH) {
    const batch = candidates.slice(start, start + STAT_BATCH);
    const stats = await Promise.all(batch.map((relative) => lstat(path.join(workTree, relative)).catch(() => null)));
    batch.forEach((relative, index) => {
      const stat = stats[index];
      if (!stat) return; // removed: staged as a deletion
      if (relative.endsWith('/')) found.push({ path: relative.slice(0, -1), size: 0, mtimeMs: Math.round(stat.mtimeMs), reason: 'repository' });
      else if (stat.isFile() && stat.size > maxBytes) found.push({ path: relative, size: stat.size, mtimeMs: Math.round(stat.mtimeMs), reason: 'too_large' });
    });
  }
  return found.sort((a, b) => a.path.localeCompare(b.path));
}

/** The tree a ref pins, or null when there is no such ref (or no repository). */
export function readSnapshotRef(workspace: Workspace, ref: string): Promise<string | null> {
  const repo = repoOf(workspace);
  return runGit(repo, ['rev-parse', '-q', '--verify', `${ref}^{tree}`], { deadline: snapshotDeadline() }).then(
    ({ stdout }) => stdout.toString('utf8').trim() || null,
    () => null,
  );
}

/** Whether the shadow repository still has these trees (it may have been made again since). */
export async function treesExist(workspace: Workspace, trees: string[]): Promise<boolean> {
  const repo = repoOf(workspace);
  const deadline = snapshotDeadline();
  for (const tree of trees) {
    const ok = await runGit(repo, ['cat-file', '-e', `${tree}^{tree}`], { deadline }).then(
      () => true,
      () => false,
    );
    if (!ok) return false;
  }
  return true;
}
