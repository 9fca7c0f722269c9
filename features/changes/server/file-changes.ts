import 'server-only';
import { createTwoFilesPatch } from 'diff';
import { restoreFile, snapshotFile, type FileSnapshot, type Workspace } from '@/features/workspaces/server';
import { AppError } from '@/lib/errors';
import { getRunChanges, hasRunningRun, markRunChangesUndone, type KeptChange } from './queries';

/** A run keeps the starting point of at most this many files; edits past that aren't tracked. */
const MAX_TRACKED_FILES = 200;
/** A longer diff is cut for display (Undo still restores the whole file). */
const MAX_PATCH_CHARS = 50_000;

/**
 * Each file's content from before a run first edited it: the run's checkpoint. Write, Edit and
 * NotebookEdit calls report their file before they run (the PreToolUse hook); at the run's end
 * the files that differ from their checkpoint are its changes. Bash commands are not seen.
 * `onKeep` keeps each checkpoint where it outlives this process too (the run may be continued
 * elsewhere: `kept` are the checkpoints of its first half).
 */
export type KeptCheckpoint = { path: string; snapshot: FileSnapshot };

export class FileCheckpoints {
  private readonly before: Map<string, FileSnapshot>;
  private readonly onKeep: ((checkpoint: KeptCheckpoint) => Promise<unknown>) | undefined;

  constructor(
    private readonly workspace: Workspace,
    { kept = [], onKeep }: { kept?: KeptCheckpoint[]; onKeep?: (checkpoint: KeptCheckpoint) => Promise<unknown> } = {},
  ) {
    this.before = new Map(kept.map(({ path, snapshot }) => [path, snapshot]));
    this.onKeep = onKeep;
  }

  /** Keeps `relative` as it is now, the first time a run is about to edit it; resolves once `onKeep` tried to keep it too. */
  async keep(relative: string): Promise<void> {
    if (this.before.has(relative) || this.before.size >= MAX_TRACKED_FILES) return;
    const snapshot = this.snapshot(relative);
    this.before.set(relative, snapshot);
    await this.onKeep?.({ path: relative, snapshot });
  }

  /** The tracked files that differ now from their checkpoint. */
  changes(): KeptChange[] {
    const changes: KeptChange[] = [];
    for (const [path, before] of this.before) {
      const after = this.snapshot(path);
      if (sameSnapshot(before, after)) continue;
      changes.push(describeChange(path, before, after));
    }
    return changes.sort((a, b) => a.path.localeCompare(b.path));
  }

  private snapshot(relative: string): FileSnapshot {
    try {
      return snapshotFile(this.workspace, relative);
    } catch {
      // A link or a path that can't be followed: seen, never restored.
      return { state: 'unkept', size: -1, mtimeMs: -1 };
    }
  }
}

function sameSnapshot(a: FileSnapshot, b: FileSnapshot): boolean {
  if (a.state === 'text' && b.state === 'text') return a.text === b.text;
  if (a.state === 'unkept' && b.state === 'unkept') return a.size === b.size && a.mtimeMs === b.mtimeMs;
  return a.state === b.state; // both absent
}

function describeChange(path: string, before: FileSnapshot, after: FileSnapshot): KeptChange {
  const text = (snapshot: FileSnapshot) => (snapshot.state === 'text' ? snapshot.text : null);
  if (before.state === 'unkept' || after.state === 'unkept') {
    return { path, patch: null, added: null, removed: null, restorable: false, before: null, after: null };
  }
  const patch = createTwoFilesPatch(
    before.state === 'absent' ? '/dev/null' : `a/${path}`,
    after.state === 'absent' ? '/dev/null' : `b/${path}`,
    text(before) ?? '',
    text(after) ?? '',
    undefined,
    undefined,
    { context: 3 },
  );
  let added = 0;
  let removed = 0;
  for (const line of patch.split('\n')) {
    if (line.startsWith('+') && !line.startsWith('+++')) added++;
    if (line.startsWith('-') && !line.startsWith('---')) removed++;
  }
  const shown = patch.length > MAX_PATCH_CHARS ? `${patch.slice(0, MAX_PATCH_CHARS)}\n… (cut: ${patch.length - MAX_PATCH_CHARS} more characters)` : patch;
  return { path, patch: shown, added, removed, restorable: true, before: text(before), after: text(after) };
}

/**
 * "Undo these changes": puts the run's files back as they were before it. Refused, changing
 * nothing, when a run is in progress in the conversation, when a file can't be restored, or when
 * any file changed after the run (edited outside the agent, or by a later run): undoing would
 * clobber that.
 */
export async function undoRunChanges({ runId, visitorId, workspace }: { runId: string; visitorId: string; workspace: Workspace }): Promise<{ runId: string; paths: string[] }> {
  const record = await getRunChanges({ runId, visitorId, workspace: workspace.name });
  if (!record) throw new AppError('not_found:run', 'No such run.');
  if (record.undoneAt) throw new AppError('conflict:already_undone', 'These changes were already undone.');
  if (record.files.length === 0) throw new AppError('conflict:nothing_to_undo', 'This run changed no files.');
  if (await hasRunningRun(record.conversationId)) {
    throw new AppError('conflict:run_active', 'A run is in progress in this conversation. Wait for it to end, or stop it, then undo.');
  }
  const unkept = record.files.find((file) => !file.restorable);
  if (unkept) throw new AppError('conflict:not_restorable', `${unkept.path} is binary or too large to keep, so these changes can't be undone.`);
  const changedSince = record.files.filter((file) => {
    const now = snapshotFile(workspace, file.path);
    return file.after === null ? now.state !== 'absent' : now.state !== 'text' || now.text !== file.after;
  });
  if (changedSince.length > 0) {
    const names = changedSince.map((file) => file.path).join(', ');
    throw new AppError('conflict:changed_since', `${names} changed after this run (edited outside the agent, or by a later run). Undoing would overwrite that, so nothing was changed.`);
  }
  if (!(await markRunChangesUndone(runId))) throw new AppError('conflict:already_undone', 'These changes were already undone.');
  for (const file of record.files) restoreFile(workspace, file.path, file.before);
  return { runId, paths: record.files.map((file) => file.path) };
}
