import 'server-only';
import { closeSync, lstatSync, mkdirSync, openSync, readdirSync, readSync, realpathSync, rmSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import path from 'node:path';
import { AppError } from '@/lib/errors';
import type { FileContent, FileEntry, FileListing } from '../types';
import type { Workspace } from './workspaces';
import { WORKTREES_FOLDER } from './worktrees';

/** A file larger than this is named, not shown. */
export const MAX_SHOWN_FILE_BYTES = 512 * 1024;
/** A folder lists at most this many entries (the rest is counted). */
export const MAX_LISTED_ENTRIES = 1000;
/** Binary or text: a NUL byte in the first bytes says binary. */
const SNIFF_BYTES = 8192;

/**
 * The workspace's files as visitors browse them, confined exactly like the agent: a path is
 * relative to the workspace folder, and whatever it names — after every symlink is resolved —
 * must lie inside it. `..`, absolute paths and links that lead out are refused (404, so the
 * answer says nothing about what lies outside).
 */
export function listFolder(workspace: Workspace, relative: string): FileListing {
  const { real, rel } = resolveInside(workspace, relative);
  if (!statSync(real).isDirectory()) throw new AppError('bad_request:not_a_folder', `${rel || '/'} is a file, not a folder.`);
  const names = readdirSync(real)
    .filter((name) => rel !== '' || name !== WORKTREES_FOLDER)
    .sort((a, b) => a.localeCompare(b));
  const entries: FileEntry[] = [];
  for (const name of names.slice(0, MAX_LISTED_ENTRIES)) {
    const entryPath = rel ? `${rel}/${name}` : name;
    entries.push(describeEntry(workspace, entryPath, lstatSync(path.join(real, name))));
  }
  // Folders first, then files, each alphabetically.
  entries.sort((a, b) => Number(b.type === 'folder') - Number(a.type === 'folder') || a.name.localeCompare(b.name));
  return { path: rel, entries, more: Math.max(0, names.length - MAX_LISTED_ENTRIES) };
}

/** A file's text for the viewer; a binary or too large file is named with its size, not shown. */
export function readFileForViewer(workspace: Workspace, relative: string): FileContent {
  const { real, rel } = resolveInside(workspace, relative);
  const stats = statSync(real);
  if (!stats.isFile()) throw new AppError('bad_request:not_a_file', `${rel || '/'} is not a file.`);
  if (stats.size > MAX_SHOWN_FILE_BYTES) return { path: rel, size: stats.size, shown: false, reason: 'too_large', text: null };
  const bytes = readHead(real, stats.size);
  if (bytes.subarray(0, SNIFF_BYTES).includes(0)) return { path: rel, size: stats.size, shown: false, reason: 'binary', text: null };
  return { path: rel, size: stats.size, shown: true, reason: null, text: bytes.toString('utf8') };
}

/**
 * A file as a run's checkpoint keeps it: its text, absent, or (binary, too large, not a regular
 * file) only its size and time, enough to tell that it changed but not to restore it.
 */
export type FileSnapshot = { state: 'absent' } | { state: 'text'; text: string } | { state: 'unkept'; size: number; mtimeMs: number };

export function snapshotFile(workspace: Workspace, relative: string): FileSnapshot {
  const { file } = resolveForWrite(workspace, relative);
  let stats: Stats;
  try {
    stats = lstatSync(file);
  } catch {
    return { state: 'absent' };
  }
  if (!stats.isFile() || stats.size > MAX_SHOWN_FILE_BYTES) return { state: 'unkept', size: stats.size, mtimeMs: stats.mtimeMs };
  const bytes = readHead(file, stats.size);
  if (bytes.includes(0)) return { state: 'unkept', size: stats.size, mtimeMs: stats.mtimeMs };
  return { state: 'text', text: bytes.toString('utf8') };
}

/** Puts a file back as `text`, or removes it (null); confined like everything here. */
export function restoreFile(workspace: Workspace, relative: string, text: string | null): void {
  const { file } = resolveForWrite(workspace, relative);
  if (text === null) {
    try {
      unlinkSync(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  resolveForWrite(workspace, relative); // the folders just made are inside too (no link slipped in)
  writeFileSync(file, text);
}

/**
 * Saves `bytes` as a new file in `folder` (made when missing): under `name` made safe for any
 * filesystem, or, when that is taken, with " (2)", " (3)" … before its extension. It never replaces
 * a file (the exclusive create also refuses a link planted under the name), never lands outside the
 * workspace, and leaves nothing half-written when the workspace's quota runs out. Returns the
 * file's path relative to the workspace.
 */
export function saveNewFile(workspace: Workspace, { folder, name, bytes }: { folder: string; name: string; bytes: Uint8Array }): string {
  const { stem, extension } = safeFileName(name);
  mkdirSync(resolveForWrite(workspace, folder).file, { recursive: true });
  // Again, now that it exists: the folder is inside, and not a link. The names tried in it have no
  // separators, so each is a file right in it.
  const dir = resolveForWrite(workspace, folder).file;
  for (let copy = 1; copy <= MAX_NAME_COPIES; copy++) {
    const fileName = `${stem}${copy === 1 ? '' : ` (${copy})`}${extension}`;
    const file = path.join(/*turbopackIgnore: true*/ dir, fileName);
    try {
      writeFileSync(file, bytes, { flag: 'wx' });
      return [...segmentsOf(folder), fileName].join('/');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      if (code === 'ENOSPC' || code === 'EDQUOT') {
        rmSync(file, { force: true });
        throw new AppError('unavailable:disk_full', `The workspace is full, so "${name}" could not be saved into it. Delete some of its files, then send it again.`);
      }
      throw error;
    }
  }
  throw new AppError('conflict:file_exists', `There are already ${MAX_NAME_COPIES} files named "${stem}${extension}" in ${folder}/.`);
}

const MAX_NAME_COPIES = 1000;
const MAX_SAVED_NAME_CHARS = 120;

/**
 * A name that is one plain file on every filesystem: no separators, controls or characters Windows
 * refuses, no leading dot (which would hide it, or make it `.env`), at most 120 characters, split
 * into its stem and its extension so copies number the stem.
 */
function safeFileName(name: string): { stem: string; extension: string } {
  const cleaned = name
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}/\\:*?"<>|]/gu, '_')
    .replace(/^[.\s]+|[.\s]+$/g, '');
  const dot = cleaned.lastIndexOf('.');
  const extension = dot > 0 && cleaned.length - dot <= 16 ? cleaned.slice(dot) : '';
  const stem = (extension ? cleaned.slice(0, dot) : cleaned).slice(0, MAX_SAVED_NAME_CHARS - extension.length) || 'attachment';
  return { stem, extension };
}

function describeEntry(workspace: Workspace, entryPath: string, stats: Stats): FileEntry {
  const name = path.posix.basename(entryPath);
  if (stats.isSymbolicLink()) {
    // A link is shown as what it leads to when that is inside; a link out is named, never followed.
    try {
      const { real } = resolveInside(workspace, entryPath);
      const target = statSync(real);
      return { name, path: entryPath, type: target.isDirectory() ? 'folder' : 'file', size: target.isDirectory() ? null : target.size };
    } catch {
      return { name, path: entryPath, type: 'link_outside', size: null };
    }
  }
  if (stats.isDirectory()) return { name, path: entryPath, type: 'folder', size: null };
  return { name, path: entryPath, type: stats.isFile() ? 'file' : 'other', size: stats.isFile() ? stats.size : null };
}

/** The real path of `relative` inside the workspace, and the normalised relative path; 404 otherwise. */
function resolveInside(workspace: Workspace, relative: string): { real: string; rel: string } {
  const segments = segmentsOf(relative);
  // The conversations' worktrees are each its own conversation's, never the shared folder's.
  if (segments[0] === WORKTREES_FOLDER) throw outside();
  const root = workspace.filesDir; // already a real path
  let real: string;
  try {
    real = realpathSync(path.join(root, ...segments));
  } catch {
    throw outside();
  }
  if (!isInside(root, real)) throw outside();
  return { real, rel: segments.join('/') };
}

const outside = () => new AppError('not_found:file', 'No such file or folder in this workspace.');
const isInside = (root: string, real: string) => real === root || real.startsWith(root + path.sep);

/** A relative path's segments; `..`, absolute paths and NUL bytes are refused. */
function segmentsOf(relative: string): string[] {
  if (relative.includes('\u0000') || path.posix.isAbsolute(relative) || path.win32.isAbsolute(relative)) throw outside();
  const segments = relative.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) throw outside();
  return segments;
}

/**
 * Where `relative` lies for writing: its folder (as far as it exists) resolved inside the
 * workspace, and the file itself never a link. Throws not_found otherwise.
 */
function resolveForWrite(workspace: Workspace, relative: string): { file: string } {
  const segments = segmentsOf(relative);
  if (segments.length === 0 || segments[0] === WORKTREES_FOLDER) throw outside();
  const root = workspace.filesDir;
  // The deepest existing folder on the way must resolve inside; what's missing below it gets made.
  let existing = segments.length - 1;
  let real: string | null = null;
  while (real === null && existing >= 0) {
    try {
      real = realpathSync(path.join(root, ...segments.slice(0, existing)));
    } catch {
      existing--;
    }
  }
  if (real === null || !isInside(root, real)) throw outside();
  const file = path.join(/*turbopackIgnore: true*/ real, ...segments.slice(existing));
  let isLink = false;
  try {
    isLink = lstatSync(file).isSymbolicLink();
  } catch {
    // not there: nothing to follow
  }
  if (isLink) throw outside();
  return { file };
}

function readHead(file: string, size: number): Buffer {
  const buffer = Buffer.alloc(size);
  const fd = openSync(file, 'r');
  try {
    let read = 0;
    while (read < size) {
      const count = readSync(fd, buffer, read, size - read, read);
      if (count === 0) break;
      read += count;
    }
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}
