import { z } from 'zod';

/** A workspace name is one DNS label: it is the subdomain visitors type. */
export const workspaceNameSchema = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'lowercase letters, digits and inner hyphens, at most 63');

export const workspaceConfigSchema = z.object({
  /**
   * Who the workspace answers: `public` (also when absent), anyone at its address; `invite`, only its
   * members (browsers that opened one of its invite links), and everyone else a "This workspace is
   * private" page.
   */
  access: z.enum(['public', 'invite']).optional(),
  /** In an `invite` workspace, lets members make invite links in the app; absent or false: only the operator can. */
  membersMayInvite: z.boolean().optional(),
  /** Lets the agent run shell commands in the workspace folder. Off by default. */
  allowBash: z.boolean().default(false),
  /** Lets the agent fetch web pages and search the web. Off by default. */
  allowWeb: z.boolean().default(false),
  /** Narrows the server's models (TETHER_MODELS) for this workspace; absent: all of them. */
  models: z.array(z.string().min(1)).min(1).optional(),
  /** Narrows the agent modes (`plan`, `ask`, `build`) for this workspace; absent: all of them. */
  modes: z
    .array(z.enum(['plan', 'ask', 'build']))
    .min(1)
    .optional(),
  /** This workspace's disk quota in MB (TETHER_WORKSPACE_QUOTA_MB otherwise); a bigger one later grows it. */
  quotaMb: z.number().int().min(16).max(1_048_576).optional(),
  /**
   * What a run's snapshots leave out besides the workspace's own .gitignore: gitignore patterns,
   * in place of the default list (`node_modules/`, `.next/`). `[]` keeps everything.
   */
  snapshotIgnore: z
    .array(
      z
        .string()
        .min(1)
        .regex(/^[^\n\r]+$/, 'one pattern per entry, no line breaks'),
    )
    .optional(),
  /**
   * `worktree`: the workspace's files are a git repository, and each conversation works in a
   * worktree of its own, on a branch `tether/<short id>` made from HEAD at its first message.
   * Absent: every conversation works in the one shared folder.
   */
  isolation: z.literal('worktree').optional(),
  /** What happens to a conversation's branch when its worktree goes (deleted or expired): kept (the default) for the operator to fetch, or deleted. */
  worktreeBranches: z.enum(['keep', 'delete']).optional(),
});

export type WorkspaceConfig = z.infer<typeof workspaceConfigSchema>;

/**
 * `demo.localhost:3000` → `demo`; `demo.example.com` → `demo` when the base domain is
 * `example.com`. Anything else (the bare domain, deeper subdomains, other hosts) → null.
 */
export function workspaceFromHost(host: string | null, baseDomain: string): string | null {
  if (!host) return null;
  const hostname = host.replace(/:\d+$/, '').toLowerCase();
  const suffix = `.${baseDomain.toLowerCase()}`;
  if (!hostname.endsWith(suffix)) return null;
  const label = hostname.slice(0, -suffix.length);
  return workspaceNameSchema.safeParse(label).success ? label : null;
}

/** `?path=` of the file API: relative to the workspace folder ('' = the folder itself). */
export const filePathSchema = z.string().max(4096, 'The path is longer than 4096 characters').default('');

/** "Commit" in a conversation's menu: the commit message (its first line is the subject git lists). */
export const commitSchema = z.object({
  message: z.string().trim().min(1, 'Write a commit message').max(10_000, 'The commit message is longer than 10,000 characters'),
});
