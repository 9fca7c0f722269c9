/** One entry of a workspace folder, as the Files panel lists it. */
export type FileEntry = {
  name: string;
  /** Relative to the workspace folder, `/`-separated. */
  path: string;
  /** `link_outside`: a symlink that leads out of the workspace (named, never followed). */
  type: 'folder' | 'file' | 'link_outside' | 'other';
  size: number | null;
};

export type FileListing = { path: string; entries: FileEntry[]; /** Entries past the listing's cap. */ more: number };

/** A file for the viewer: its text, or why it is not shown. */
export type FileContent = { path: string; size: number; shown: boolean; reason: 'binary' | 'too_large' | null; text: string | null };

/** A conversation's branch (worktree isolation): its commits the repository's HEAD doesn't have yet, newest first. */
export type BranchLog = { branch: string; commits: Array<{ id: string; subject: string; committedAt: string }> };

/** A conversation's own git worktree (worktree isolation): where it is, its git folder inside the repository's (`.git/worktrees/<id>`), and the repository's. */
export type Worktree = { conversationId: string; branch: string; path: string; gitDir: string; commonDir: string };
