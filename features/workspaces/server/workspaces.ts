import 'server-only';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { serverEnv } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { workspaceConfigSchema, workspaceNameSchema, type WorkspaceConfig } from '../schemas';
import { IMAGE_NAME, STAGING_NAME } from './disk-image';
import { applyDiskQuota } from './disk-quota';
import type { Worktree } from '../types';

const FILES = 'files';

export type Workspace = {
  name: string;
  /** Real path of the folder the agent works in. */
  filesDir: string;
  config: WorkspaceConfig;
  /** Set when the files live on a size-limited image: its size (README, "Disk quota and reserve"). */
  diskQuotaBytes?: number;
  /** Set when these are one conversation's files, in its own git worktree (`"isolation": "worktree"`). */
  worktree?: Worktree;
};

function workspaceRoot(name: string): string {
  return path.join(serverEnv().workspacesDir, workspaceNameSchema.parse(name));
}

/**
 * Where the workspace's snapshots are kept (a git repository whose work tree is the files folder):
 * beside workspace.json, so out of the agent's sandbox and outside the files (and their disk
 * image), and on the same volume as the files when several instances share one.
 */
export function snapshotsGitDir(workspace: Pick<Workspace, 'name'>): string {
  return path.join(workspaceRoot(workspace.name), 'snapshots.git');
}

/** The names of the workspaces there are, found without opening them (which would mount their disk images). */
export function workspaceNames(): string[] {
  const root = serverEnv().workspacesDir;
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() && workspaceNameSchema.safeParse(entry.name).success ? [entry.name] : []));
}

/** The workspace, or null when the name is invalid or no such folder exists. */
export function findWorkspace(name: string): Workspace | null {
  if (!workspaceNameSchema.safeParse(name).success) return null;
  const root = workspaceRoot(name);
  // files/ is only the image's mount point; a move into a new image cut short leaves the staging folder.
  if (![FILES, IMAGE_NAME, STAGING_NAME].some((entry) => existsSync(path.join(root, entry)))) return null;
  const config = readConfig(path.join(root, 'workspace.json'));
  const diskQuotaBytes = applyDiskQuota({ root, config });
  const workspace = { name, filesDir: realpathSync(path.join(root, 'files')), config };
  return diskQuotaBytes === undefined ? workspace : { ...workspace, diskQuotaBytes };
}

export function requireWorkspace(name: string | null): Workspace {
  const workspace = name ? findWorkspace(name) : null;
  if (!workspace) throw new AppError('not_found:workspace', 'No workspace at this address.');
  return workspace;
}

/** A workspace's settings alone, read without opening it (which would mount its disk image). */
export const workspaceConfig = (name: string): WorkspaceConfig => readConfig(path.join(workspaceRoot(name), 'workspace.json'));

function readConfig(file: string): WorkspaceConfig {
  if (!existsSync(file)) return workspaceConfigSchema.parse({});
  return workspaceConfigSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

export function createWorkspace({ name, files = {}, config = {} }: { name: string; files?: Record<string, string>; config?: Partial<WorkspaceConfig> }): Workspace {
  const root = workspaceRoot(name);
  if (existsSync(path.join(root, 'files')) || existsSync(path.join(root, IMAGE_NAME))) throw new AppError('conflict:workspace_exists', `Workspace "${name}" already exists.`);
  mkdirSync(path.join(root, 'files'), { recursive: true });
  writeFileSync(path.join(root, 'workspace.json'), JSON.stringify(workspaceConfigSchema.parse(config), null, 2) + '\n');
  // Found (and so put on its disk image) before the sample files go in.
  const { filesDir } = findWorkspace(name)!;
  for (const [relative, content] of Object.entries(files)) {
    const target = path.resolve(filesDir, relative);
    if (!target.startsWith(filesDir + path.sep)) throw new Error(`Sample file escapes the workspace: ${relative}`);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  return findWorkspace(name)!;
}

const demoFiles = {
  'README.md': '# Demo workspace\n\nA small project to try Tether on. Ask the agent to read or change these files.\n',
  'notes/todo.md': '- [ ] Write the launch post\n- [x] Pick a name\n- [ ] Invite the first users\n',
  'src/greet.ts': 'export function greet(name: string): string {\n  return `Hello, ${name}!`;\n}\n',
  // A command of the workspace's own: `/explain src/greet.ts` in the message box.
  '.claude/commands/explain.md':
    '---\ndescription: Explain a file of this workspace in plain words\nargument-hint: <file>\n---\nRead $ARGUMENTS and explain what it does in plain words, for someone new to the project.\n',
};

/** The `demo` workspace exists on every fresh start, so the quick start has somewhere to go. */
export function ensureDemoWorkspace(): Workspace {
  // The demo offers a shell to show it off; without the agent sandbox the run manager turns it off.
  return findWorkspace('demo') ?? createWorkspace({ name: 'demo', files: demoFiles, config: { allowBash: true } });
}
