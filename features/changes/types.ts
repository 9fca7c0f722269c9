/** One file a run changed: its diff (null when binary or too large to show) and whether Undo can restore it. */
export type FileChange = {
  path: string;
  patch: string | null;
  added: number | null;
  removed: number | null;
  restorable: boolean;
};

/** The files a run changed, as the conversation shows them; `id` is `changes-` and the run's id. */
export type ChangesItem = { kind: 'changes'; id: string; runId: string; files: FileChange[]; undoneAt: string | null };
