import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkspaceConfig } from '@/features/workspaces';
import { DENIAL_PREFIX } from '../vocabulary';
import type { AgentMode } from '../../runs/types';
import { availableTools, checkToolUse, isInside } from './tool-guard';

// root/demo is the workspace folder; root/other-workspace/files/secret.txt sits next to it.
let root: string;
let workspaceDir: string;
let secret: string;
const locked: WorkspaceConfig = { allowBash: false, allowWeb: false };

beforeAll(() => {
  root = realpathSync(mkdtempSync(path.join(tmpdir(), 'tool-guard-')));
  workspaceDir = path.join(root, 'demo');
  mkdirSync(path.join(workspaceDir, 'docs'), { recursive: true });
  mkdirSync(path.join(root, 'other-workspace', 'files'), { recursive: true });
  writeFileSync(path.join(workspaceDir, 'docs', 'notes.md'), 'notes');
  secret = path.join(root, 'other-workspace', 'files', 'secret.txt');
  writeFileSync(secret, 'secret');
  symlinkSync(secret, path.join(workspaceDir, 'link-out.txt'));
  symlinkSync(path.join(root, 'other-workspace'), path.join(workspaceDir, 'link-out-dir'));
  symlinkSync(path.join(workspaceDir, 'docs', 'notes.md'), path.join(workspaceDir, 'link-in.md'));
  symlinkSync(path.join(root, 'other-workspace', 'files', 'planted.txt'), path.join(workspaceDir, 'dangling.txt'));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function check(toolName: string, input: Record<string, unknown>, { mode = 'build' as AgentMode, config = locked } = {}) {
  return checkToolUse({ toolName, input, workspaceDir, mode, config });
}

function expectDenied(decision: ReturnType<typeof checkToolUse>, pattern?: RegExp) {
  expect(decision.allowed).toBe(false);
  if (decision.allowed) return;
  expect(decision.reason.startsWith(DENIAL_PREFIX)).toBe(true);
  if (pattern) expect(decision.reason).toMatch(pattern);
}

describe('file tools', () => {
  it('allows a file inside the workspace, relative or absolute', () => {
    expect(check('Read', { file_path: 'docs/notes.md' })).toEqual({ allowed: true });
    expect(check('Read', { file_path: path.join(workspaceDir, 'docs', 'notes.md') })).toEqual({ allowed: true });
  });

  it('denies /etc/passwd with a reason that names it', () => {
    expectDenied(check('Read', { file_path: '/etc/passwd' }), /\/etc\/passwd is outside this workspace/);
  });

  it('denies another workspace, by relative and by absolute path', () => {
    expectDenied(check('Read', { file_path: '../other-workspace/files/secret.txt' }));
    expectDenied(check('Read', { file_path: secret }));
    expectDenied(check('Edit', { file_path: `${workspaceDir}/docs/../../other-workspace/files/secret.txt` }));
  });

  it('denies a home-relative path', () => {
    expectDenied(check('Read', { file_path: '~/.ssh/id_rsa' }));
  });

  it('denies symlinks inside the workspace that lead out, and allows those that stay in', () => {
    expectDenied(check('Read', { file_path: 'link-out.txt' }));
    expectDenied(check('Read', { file_path: 'link-out-dir/files/secret.txt' }));
    expect(check('Read', { file_path: 'link-in.md' })).toEqual({ allowed: true });
  });

  // Regression: existsSync follows the link, so a dangling symlink counts as "not yet created" and is
  // judged by its own location; writing to it creates the target outside the workspace.
  it('denies writing through a dangling symlink that points outside', () => {
    expectDenied(check('Write', { file_path: 'dangling.txt', content: 'x' }));
  });

  it('lets build mode write a new file in a folder that does not exist yet; plan mode may not', () => {
    const input = { file_path: 'new/deeper/file.md', content: 'hi' };
    expect(check('Write', input)).toEqual({ allowed: true });
    expectDenied(check('Write', input, { mode: 'plan' }), /plan mode is read-only/);
    expectDenied(check('Edit', { file_path: 'docs/notes.md' }, { mode: 'plan' }), /plan mode is read-only/);
    expect(check('Read', { file_path: 'docs/notes.md' }, { mode: 'plan' })).toEqual({ allowed: true });
  });

  it('allows the workspace folder itself as a search path', () => {
    expect(check('Grep', { pattern: 'todo', path: workspaceDir })).toEqual({ allowed: true });
    expect(check('Grep', { pattern: 'todo', path: '.' })).toEqual({ allowed: true });
  });
});

describe('Glob and Grep', () => {
  it.each(['/etc/*', '../../**', '~/**', 'docs/../../**/*.txt'])('denies the glob pattern %s', (pattern) => {
    expectDenied(check('Glob', { pattern }));
  });

  // Regression: brace expansion hides an absolute or parent path from the prefix check.
  it.each(['{/etc,docs}/*', '{../other-workspace,docs}/**'])('denies the braced glob pattern %s', (pattern) => {
    expectDenied(check('Glob', { pattern }));
  });

  it('allows a relative glob inside the workspace', () => {
    expect(check('Glob', { pattern: '**/*.md' })).toEqual({ allowed: true });
    expect(check('Glob', { pattern: '*.md', path: 'docs' })).toEqual({ allowed: true });
  });

  it('denies a Glob or Grep whose path is outside', () => {
    expectDenied(check('Glob', { pattern: '**/*', path: '/etc' }));
    expectDenied(check('Grep', { pattern: 'root', path: '/etc' }));
    expectDenied(check('Grep', { pattern: 'x', path: path.join(root, 'other-workspace') }));
  });

  it("checks Grep's glob filter like a Glob pattern", () => {
    expectDenied(check('Grep', { pattern: 'x', glob: '/etc/*' }));
    expect(check('Grep', { pattern: 'x', glob: '*.md' })).toEqual({ allowed: true });
  });
});

describe('shell and web tools', () => {
  it('denies Bash unless the workspace allows it', () => {
    expectDenied(check('Bash', { command: 'ls' }), /turned off/);
    expect(check('Bash', { command: 'ls' }, { config: { allowBash: true, allowWeb: false } })).toEqual({ allowed: true });
  });

  it('denies WebFetch and WebSearch unless the workspace allows the web', () => {
    expectDenied(check('WebFetch', { url: 'https://example.com' }), /turned off/);
    expectDenied(check('WebSearch', { query: 'x' }));
    const web = { allowBash: false, allowWeb: true };
    expect(check('WebFetch', { url: 'https://example.com' }, { config: web })).toEqual({ allowed: true });
    expect(check('WebSearch', { query: 'x' }, { config: web })).toEqual({ allowed: true });
  });

  it('denies tools it does not know', () => {
    expectDenied(check('Task', { prompt: 'x' }));
  });
});

describe('availableTools', () => {
  it('offers read tools in plan mode and edit tools only in build mode', () => {
    expect(availableTools('plan', locked)).toEqual(['Read', 'Glob', 'Grep', 'TaskCreate', 'TaskUpdate', 'TaskList', 'TaskGet', 'Agent']);
    expect(availableTools('build', locked)).toEqual(['Read', 'Glob', 'Grep', 'Write', 'Edit', 'NotebookEdit', 'TaskCreate', 'TaskUpdate', 'TaskList', 'TaskGet', 'Agent']);
  });

  it('adds shell and web tools from the workspace config', () => {
    expect(availableTools('plan', { allowBash: true, allowWeb: false })).toEqual(['Read', 'Glob', 'Grep', 'Bash', 'TaskCreate', 'TaskUpdate', 'TaskList', 'TaskGet', 'Agent']);
    expect(availableTools('plan', { allowBash: false, allowWeb: true })).toEqual(['Read', 'Glob', 'Grep', 'WebFetch', 'WebSearch', 'TaskCreate', 'TaskUpdate', 'TaskList', 'TaskGet', 'Agent']);
  });
});

describe('isInside', () => {
  it('accepts the root and paths below it, rejects siblings that share a prefix', () => {
    expect(isInside(workspaceDir, workspaceDir)).toBe(true);
    expect(isInside('docs', workspaceDir)).toBe(true);
    mkdirSync(`${workspaceDir}-evil`, { recursive: true });
    expect(isInside(`${workspaceDir}-evil/x`, workspaceDir)).toBe(false);
    expect(isInside('..', workspaceDir)).toBe(false);
  });
});
