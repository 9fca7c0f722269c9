import 'server-only';
import type { Workspace } from '@/features/workspaces/server';
import type { FileChange, FileChangeKind } from '../types';
import { nulList, runGit, type GitRepo } from '@/lib/git';
import { repoOf, snapshotDeadline } from './shadow-repo';
import type { NotKept, Snapshot } from './snapshots';

/** A run's Changes list at most this many files (Undo restores them all). */
export const MAX_LISTED_CHANGES = 1000;
/** A longer diff is cut for display. */
const MAX_PATCH_CHARS = 50_000;
/** All the diffs of one run together; past this the rest are "too large to show". */
const MAX_PATCH_BYTES = 8 * 1024 * 1024;
const DIFF_OPTIONS = ['-r', '-M', '--no-ext-diff', '--no-textconv', '--no-color'];

type Entry = { status: string; srcMode: string; dstMode: string; srcId: string; dstId: string; path: string; oldPath: string | null; added: number | null; removed: number | null };

/**
 * What changed between two snapshots of the workspace: each file added, modified, deleted or
 * renamed (and mode changes), with `+added −removed` and a unified diff per text file, and binary
 * files named with their size; files left out of either snapshot are listed as not kept. `paths`:
 * only these (a conversation's whole change, for the paths its runs changed).
 */
export async function treeChanges(workspace: Workspace, before: Snapshot, after: Snapshot, { paths }: { paths?: string[] } = {}): Promise<FileChange[]> {
  const repo = repoOf(workspace);
  const deadline = snapshotDeadline();
  const only = paths === undefined ? [] : await changedPathspecs(repo, before.tree, after.tree, paths, deadline);
  const none = before.tree === after.tree || (paths !== undefined && only.length === 0);
  const limit = only.length > 0 ? ['--', ...only] : [];
  const entries = none ? [] : parseRawWithNumstat((await runGit(repo, ['diff-tree', ...DIFF_OPTIONS, '-z', '--raw', '--numstat', before.tree, after.tree, ...limit], { deadline })).stdout);
  const patches = entries.length === 0 ? [] : await patchesOf(repo, { before: before.tree, after: after.tree, limit }, entries, deadline);
  const binaries = entries.filter((entry) => entry.added === null);
  const sizes = await blobSizes(
    repo,
    binaries.map((entry) => (entry.status === 'D' ? entry.srcId : entry.dstId)),
    deadline,
  );
  const changes: FileChange[] = entries.map((entry, index) => {
    const binary = entry.added === null;
    const patch = binary ? null : (patches[index] ?? null);
    return {
      path: entry.path,
      kind: kindOf(entry.status),
      oldPath: entry.oldPath,
      mode: entry.srcMode !== entry.dstMode && entry.status !== 'A' && entry.status !== 'D' ? { before: entry.srcMode, after: entry.dstMode } : null,
      binary,
      size: binary ? (sizes.get(entry.status === 'D' ? entry.srcId : entry.dstId) ?? null) : null,
      patch: patch && patch.length > MAX_PATCH_CHARS ? `${patch.slice(0, MAX_PATCH_CHARS)}\n… (cut: ${patch.length - MAX_PATCH_CHARS} more characters)` : patch,
      added: entry.added,
      removed: entry.removed,
      restorable: true,
    };
  });
  const wanted = paths && new Set(paths);
  const within = (items: NotKept[]) => (wanted ? items.filter((item) => wanted.has(item.path)) : items);
  return withNotKept(changes, within(before.notKept), within(after.notKept))
    .sort((a, b) => a.path.localeCompare(b.path))
    .slice(0, MAX_LISTED_CHANGES);
}

function kindOf(status: string): FileChangeKind {
  if (status === 'A') return 'added';
  if (status === 'D') return 'deleted';
  if (status.startsWith('R')) return 'renamed';
  return 'modified'; // M, and T (a file became a link, or the other way round)
}

/**
 * `diff-tree -z --raw --numstat`: first one raw record per file (`:srcMode dstMode srcId dstId
 * status`, then its path, or its two paths for a rename), then one numstat record per file in the
 * same order (`added\tremoved\tpath`, or `added\tremoved\t` and two paths; `-` for binary files).
 */
function parseRawWithNumstat(stdout: Buffer): Entry[] {
  const tokens = nulList(stdout);
  const entries: Entry[] = [];
  let at = 0;
  while (at < tokens.length && tokens[at]!.startsWith(':')) {
    const [srcMode, dstMode, srcId, dstId, status] = tokens[at]!.slice(1).split(' ') as [string, string, string, string, string];
    const renamed = status.startsWith('R') || status.startsWith('C');
    const oldPath = renamed ? tokens[at + 1]! : null;
    const file = renamed ? tokens[at + 2]! : tokens[at + 1]!;
    entries.push({ status, srcMode, dstMode, srcId, dstId, path: file, oldPath, added: null, removed: null });
    at += renamed ? 3 : 2;
  }
  for (const entry of entries) {
    const [added, removed, inline] = (tokens[at] ?? '').split('\t');
    at += inline === '' ? 3 : 1;
    if (added !== '-') Object.assign(entry, { added: Number(added), removed: Number(removed) });
  }
  return entries;
}

/**
 * Of `paths`, the ones that differ between two trees, as pathspecs that match each exactly: as
 * few arguments as files that changed, however many paths were asked about.
 */
export async function changedPathspecs(repo: GitRepo, before: string, after: string, paths: string[], deadline: number): Promise<string[]> {
  if (before === after || paths.length === 0) return [];
  const wanted = new Set(paths);
  const changed = nulList((await runGit(repo, ['diff-tree', '-r', '--no-renames', '--name-only', '-z', before, after], { deadline })).stdout);
  return changed.filter((file) => wanted.has(file)).map((file) => `:(literal)${file}`);
}

/** Each entry's part of the whole unified diff, in the same order (a type change is two parts: the old file's removal and the new one). */
async function patchesOf(repo: GitRepo, { before, after, limit }: { before: string; after: string; limit: string[] }, entries: Entry[], deadline: number): Promise<Array<string | null>> {
  const { stdout, truncated } = await runGit(repo, ['diff-tree', ...DIFF_OPTIONS, '-p', before, after, ...limit], { deadline, maxBytes: MAX_PATCH_BYTES });
  const sections = stdout.toString('utf8').split(/^(?=diff --git )/m);
  if (sections[0] !== undefined && !sections[0].startsWith('diff --git ')) sections.shift();
  if (truncated) sections.pop(); // the last one was cut short
  let at = 0;
  return entries.map((entry) => {
    const parts = entry.status === 'T' ? 2 : 1;
    const taken = sections.slice(at, at + parts);
    at += parts;
    return taken.length === parts ? taken.join('') : null;
  });
}

async function blobSizes(repo: GitRepo, ids: string[], deadline: number): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const { stdout } = await runGit(repo, ['cat-file', '--batch-check=%(objectname) %(objectsize)'], { deadline, input: `${ids.join('\n')}\n` });
  return new Map(
    stdout
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(' '))
      .filter((parts) => parts.length === 2)
      .map(([id, size]) => [id!, Number(size)]),
  );
}

/**
 * Files left out of a snapshot show as changes the run can't undo: left out after (too large now,
 * or made a repository), left out before, or left out of both and changed (their size or time).
 * The trees' diff saw such a file as added or deleted; it is listed as what happened instead.
 */
function withNotKept(changes: FileChange[], beforeNotKept: NotKept[], afterNotKept: NotKept[]): FileChange[] {
  const before = new Map(beforeNotKept.map((item) => [item.path, item]));
  const after = new Map(afterNotKept.map((item) => [item.path, item]));
  const notKept = (file: string, kind: FileChangeKind, size: number): FileChange => ({
    path: file,
    kind,
    oldPath: null,
    mode: null,
    binary: false,
    size,
    patch: null,
    added: null,
    removed: null,
    restorable: false,
  });
  const listed = new Map(changes.map((change) => [change.path, change]));
  for (const [file, item] of after) {
    const was = before.get(file);
    if (was && was.size === item.size && was.mtimeMs === item.mtimeMs) continue;
    listed.set(file, notKept(file, was || listed.get(file)?.kind === 'deleted' ? 'modified' : 'added', item.size));
  }
  for (const [file, item] of before) {
    if (after.has(file)) continue;
    listed.set(file, notKept(file, listed.get(file)?.kind === 'added' ? 'modified' : 'deleted', item.size));
  }
  return [...listed.values()];
}
