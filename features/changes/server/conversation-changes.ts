import 'server-only';
import { conversationWorkspace, type Workspace } from '@/features/workspaces/server';
import { AppError } from '@/lib/errors';
import type { FileChange } from '../types';
import { runGit } from '@/lib/git';
import { getConversationChanges } from './queries';
import { repoOf, snapshotDeadline } from './shadow-repo';
import { takeSnapshot, treesExist, type Snapshot } from './snapshots';
import { changedPathspecs, treeChanges } from './tree-changes';

/** A patch larger than this is refused rather than built in memory. */
const MAX_PATCH_BYTES = 64 * 1024 * 1024;
/** The files of one patch are git's arguments: past this many, the patch is refused. */
const MAX_PATCH_FILES = 10_000;

type Owner = { conversationId: string; visitorId: string; workspace: Workspace };
/** `files`: the workspace as the conversation sees it (its own worktree, with worktree isolation). */
type Trees = { title: string | null; files: Workspace; before: Snapshot; now: Snapshot; paths: string[] };

/**
 * "Changes in this conversation": everything its runs did that is still there, as one change from
 * the workspace before its first run to the workspace now (a fresh snapshot), for the paths its
 * runs changed: listed as a run's Changes are. Edits by hand or by other conversations to those
 * paths since are in it too, as they are in the files. Empty when it changed nothing.
 */
export async function conversationChanges(owner: Owner): Promise<{ files: FileChange[] }> {
  const trees = await conversationTrees(owner);
  if (!trees) return { files: [] };
  return { files: await treeChanges(trees.files, trees.before, trees.now, { paths: trees.paths }) };
}

/**
 * The same change as a patch that `git apply` takes (`git diff --binary`: binaries, renames, modes
 * and deletions included), applied to the files as they were before the conversation's first run.
 * Files left out of the snapshots (too large, or a repository of their own) are not in it. A
 * conversation with nothing to put in it is refused with a 409 that says why: an empty patch is
 * not one `git apply` takes.
 */
export async function conversationPatch(owner: Owner): Promise<{ patch: Buffer; fileName: string }> {
  const trees = await conversationTrees(owner);
  if (!trees) throw new AppError('conflict:no_changes', 'This conversation changed no files, so there is no patch.');
  const repo = repoOf(trees.files);
  const deadline = snapshotDeadline();
  const only = await changedPathspecs(repo, trees.before.tree, trees.now.tree, trees.paths, deadline);
  if (only.length === 0) throw new AppError('conflict:no_changes', 'The files this conversation changed are back as they were before it (undone, or changed back), so there is no patch.');
  if (only.length > MAX_PATCH_FILES) throw new AppError('payload_too_large:patch', `This conversation changed ${only.length} files, more than a patch here holds (${MAX_PATCH_FILES}).`);
  const args = ['diff-tree', '-r', '-M', '-p', '--binary', '--no-ext-diff', '--no-textconv', '--no-color', '--src-prefix=a/', '--dst-prefix=b/'];
  const { stdout, truncated } = await runGit(repo, [...args, trees.before.tree, trees.now.tree, '--', ...only], { deadline, maxBytes: MAX_PATCH_BYTES });
  if (truncated) throw new AppError('payload_too_large:patch', `This conversation's patch is larger than ${MAX_PATCH_BYTES / (1024 * 1024)} MiB, too large to download here.`);
  return { patch: stdout, fileName: patchFileName(trees.title) };
}

/** The two trees to compare and the paths to compare them for; null when the conversation changed nothing (or has no snapshot to start from). */
async function conversationTrees({ conversationId, visitorId, workspace }: Owner): Promise<Trees | null> {
  const record = await getConversationChanges({ conversationId, visitorId, workspace: workspace.name });
  if (!record) throw new AppError('not_found:conversation', 'No such conversation.');
  const { title, before, paths } = record;
  if (!before || paths.length === 0) return null;
  const files = conversationWorkspace(workspace, conversationId);
  if (!(await treesExist(files, [before.tree]))) {
    throw new AppError('conflict:snapshot_gone', "The snapshot of the workspace before this conversation's first run is no longer kept, so its whole change can't be worked out.");
  }
  // Not pinned by a ref: it is read at once, well within the time git's prune leaves new objects alone.
  return { title, files, before, now: await takeSnapshot(files), paths };
}

/** `tether-fix-the-login-bug.patch`: the title in safe characters only (it goes in a header). */
function patchFileName(title: string | null): string {
  const slug = (title ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `tether-${slug || 'conversation'}.patch`;
}
