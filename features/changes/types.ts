/** One file a run changed: its diff (null when binary or too large to show) and whether Undo can restore it. */
export type FileChange = {
  path: string;
  patch: string | null;
  added: number | null;
  removed: number | null;
  restorable: boolean;
};
