/**
 * The file API's confinement: visitors browse a workspace exactly as far as its agent may reach,
 * no further — not through `..`, absolute paths, NUL bytes or symlinks — and big or binary files
 * are named, not shown.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Workspace } from './workspaces';

let files: typeof import('./files');
let workspace: Workspace;
let secret: string;

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-files-'));
  Object.assign(process.env, { TETHER_DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
  const workspaces = await import('./workspaces');
  const other = workspaces.createWorkspace({ name: 'other', files: { 'secret.txt': 'other secret' } });
  secret = path.join(other.filesDir, 'secret.txt');
  workspace = workspaces.createWorkspace({ name: 'alpha', files: { 'README.md': '# Alpha\n', 'src/greet.ts': 'export const hi = 1;\n', 'src/zeta.ts': 'z\n' } });
  const root = workspace.filesDir;
  symlinkSync(secret, path.join(root, 'leak.txt'));
  symlinkSync(path.dirname(secret), path.join(root, 'leak-dir'));
  symlinkSync('/etc', path.join(root, 'etc'));
  symlinkSync(path.join(root, 'src', 'greet.ts'), path.join(root, 'alias.ts'));
  mkdirSync(path.join(root, 'assets'));
  writeFileSync(path.join(root, 'assets', 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]));
  writeFileSync(path.join(root, 'big.log'), 'x'.repeat(600 * 1024));
  files = await import('./files');
});

describe('listing a folder', () => {
  it('lists folders first, then files, with sizes; a link out is named but not followed', () => {
    expect(files.listFolder(workspace, '')).toEqual({
      path: '',
      entries: [
        { name: 'assets', path: 'assets', type: 'folder', size: null },
        { name: 'src', path: 'src', type: 'folder', size: null },
        { name: 'alias.ts', path: 'alias.ts', type: 'file', size: 21 },
        { name: 'big.log', path: 'big.log', type: 'file', size: 600 * 1024 },
        { name: 'etc', path: 'etc', type: 'link_outside', size: null },
        { name: 'leak-dir', path: 'leak-dir', type: 'link_outside', size: null },
        { name: 'leak.txt', path: 'leak.txt', type: 'link_outside', size: null },
        { name: 'README.md', path: 'README.md', type: 'file', size: 8 },
      ],
      more: 0,
    });
    expect(files.listFolder(workspace, 'src/').entries.map((entry) => entry.path)).toEqual(['src/greet.ts', 'src/zeta.ts']);
    expect(files.listFolder(workspace, './src/./').path).toBe('src');
  });

  it('refuses a file as a folder with 400', () => {
    expect(() => files.listFolder(workspace, 'README.md')).toThrow(expect.objectContaining({ status: 400, code: 'bad_request:not_a_folder' }));
  });
});

describe('reading a file', () => {
  it('gives the text of a file inside, also through a link that stays inside', () => {
    expect(files.readFileForViewer(workspace, 'src/greet.ts')).toEqual({ path: 'src/greet.ts', size: 21, shown: true, reason: null, text: 'export const hi = 1;\n' });
    expect(files.readFileForViewer(workspace, 'alias.ts').text).toBe('export const hi = 1;\n');
  });

  it('names a binary or too large file without its content', () => {
    expect(files.readFileForViewer(workspace, 'assets/logo.png')).toEqual({ path: 'assets/logo.png', size: 7, shown: false, reason: 'binary', text: null });
    expect(files.readFileForViewer(workspace, 'big.log')).toMatchObject({ size: 600 * 1024, shown: false, reason: 'too_large', text: null });
  });

  it.each([
    ['a link to a file outside', 'leak.txt'],
    ['through a link to a folder outside', 'leak-dir/secret.txt'],
    ['a link to /etc', 'etc/passwd'],
    ['.. out of the folder', '../other/files/secret.txt'],
    ['.. inside the path', 'src/../../other/files/secret.txt'],
    ['an absolute path', '/etc/passwd'],
    ['an absolute path to the other workspace', () => secret],
    ['a Windows absolute path', 'C:\\Windows\\win.ini'],
    ['a NUL byte', 'README.md\u0000.png'],
    ['a file that does not exist', 'missing.txt'],
  ])('answers 404 for %s, saying nothing about what is there', (_, target) => {
    const relative = typeof target === 'function' ? target() : target;
    expect(() => files.readFileForViewer(workspace, relative)).toThrow(expect.objectContaining({ status: 404, code: 'not_found:file', message: 'No such file or folder in this workspace.' }));
    expect(() => files.listFolder(workspace, relative)).toThrow(expect.objectContaining({ status: 404 }));
  });
});

describe("a run's checkpoint and its Undo", () => {
  it('keeps a text file, an absent one, and only the size and time of a binary or too large one', () => {
    expect(files.snapshotFile(workspace, 'src/zeta.ts')).toEqual({ state: 'text', text: 'z\n' });
    expect(files.snapshotFile(workspace, 'src/new/deep.ts')).toEqual({ state: 'absent' });
    expect(files.snapshotFile(workspace, 'assets/logo.png')).toMatchObject({ state: 'unkept', size: 7 });
    expect(files.snapshotFile(workspace, 'big.log')).toMatchObject({ state: 'unkept', size: 600 * 1024 });
  });

  it('restores a file (making its folders) and removes one that was absent', () => {
    files.restoreFile(workspace, 'restored/deep/file.txt', 'back\n');
    expect(readFileSync(path.join(workspace.filesDir, 'restored/deep/file.txt'), 'utf8')).toBe('back\n');
    files.restoreFile(workspace, 'restored/deep/file.txt', null);
    expect(existsSync(path.join(workspace.filesDir, 'restored/deep/file.txt'))).toBe(false);
    files.restoreFile(workspace, 'restored/never-there.txt', null); // nothing to remove: fine
  });

  it.each([
    ['a link to a file outside', 'leak.txt'],
    ['a link to a file inside (never written through)', 'alias.ts'],
    ['through a link to a folder outside', 'leak-dir/secret.txt'],
    ['a new file under a link to a folder outside', 'leak-dir/planted.txt'],
    ['.. out of the folder', '../other/files/secret.txt'],
    ['an absolute path', '/etc/passwd'],
    ['a NUL byte', 'README.md\u0000.png'],
    ['the workspace folder itself', ''],
  ])('refuses %s, reading and writing nothing', (_, relative) => {
    const refused = expect.objectContaining({ status: 404, code: 'not_found:file' });
    expect(() => files.snapshotFile(workspace, relative)).toThrow(refused);
    expect(() => files.restoreFile(workspace, relative, 'planted')).toThrow(refused);
    expect(readFileSync(secret, 'utf8')).toBe('other secret');
    expect(existsSync(path.join(path.dirname(secret), 'planted.txt'))).toBe(false);
  });
});
