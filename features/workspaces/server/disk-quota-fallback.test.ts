/**
 * Without root (so without loop devices), workspaces go without a quota: the real
 * `npm run workspace -- create` run as the unprivileged user `nobody` makes a plain folder, warns
 * once, and succeeds — the quick start as a normal user keeps working.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';

const NOBODY = 65534;
const repo = path.resolve(import.meta.dirname, '../../..');

it('makes a plain folder with a warning when the server may not mount images', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-nonroot-'));
  chownSync(dataDir, NOBODY, NOBODY);
  const result = spawnSync(path.join(repo, 'node_modules/.bin/tsx'), ['--conditions=react-server', 'scripts/workspace.ts', 'create', 'plain'], {
    cwd: repo,
    uid: NOBODY,
    gid: NOBODY,
    env: { NODE_ENV: 'test', PATH: process.env.PATH, HOME: dataDir, TETHER_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    encoding: 'utf8',
  });
  expect(result.status).toBe(0);
  expect(result.stdout).toContain('Created workspace "plain"');
  const warnings = result.stderr.split('\n').filter((line) => line.includes('Workspace disk quotas are off'));
  expect(warnings).toHaveLength(1);
  const root = path.join(dataDir, 'workspaces', 'plain');
  expect(readdirSync(root).sort()).toEqual(['files', 'workspace.json']);
  expect(statSync(path.join(root, 'files')).uid).toBe(NOBODY);
  expect(existsSync(path.join(root, 'files.img'))).toBe(false);
});
