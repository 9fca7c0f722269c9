/** How a run changed a file, from its snapshots before and after. */
export type FileChangeKind = 'added' | 'modified' | 'deleted' | 'renamed';

/**
 * One file a run changed: its diff (null when binary, not kept or too large to show) and whether
 * Undo can restore it.
 */
export type FileChange = {
  path: string;
  kind: FileChangeKind;
  /** Where a renamed file was. */
  oldPath: string | null;
  /** Its git file mode before and after, when that changed (made executable, or a file became a link). */
  mode: { before: string; after: string } | null;
  /** A binary file is named with its size, never shown. */
  binary: boolean;
  /** Bytes, for a binary or not-kept file (as the run left it; as it was, for a deletion). */
  size: number | null;
  patch: string | null;
  added: number | null;
  removed: number | null;
  /** False when the file was not kept in the snapshots (over the size cap, or a git repository of its own). */
  restorable: boolean;
};

/** The files a run changed, as the conversation shows them; `id` is `changes-` and the run's id. */
export type ChangesItem = { kind: 'changes'; id: string; runId: string; files: FileChange[]; undoneAt: string | null };
