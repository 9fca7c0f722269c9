import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { E2E_DATA_DIR, E2E_PORT } from '../../playwright.config';
import { chooseFromConversationMenu, log, send, tabConversationId } from './support/chat';

/** A git workspace whose conversations each get a worktree, made on disk as an operator would. */
const FILES = path.join(E2E_DATA_DIR, 'workspaces', 'gitrepo', 'files');
const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Operator', '-c', 'user.email=op@example.com', ...args], { cwd: FILES, encoding: 'utf8' });

test.beforeAll(() => {
  mkdirSync(FILES, { recursive: true });
  writeFileSync(path.join(FILES, '..', 'workspace.json'), JSON.stringify({ allowBash: true, isolation: 'worktree' }));
  writeFileSync(path.join(FILES, 'a.txt'), 'one\n');
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'first');
});

test("a conversation's edits stay in its own worktree, and Commit puts them on its branch with the message given", async ({ page }) => {
  await page.goto(`http://gitrepo.localhost:${E2E_PORT}/`);
  await page.getByRole('combobox', { name: 'Mode', exact: true }).selectOption('build');
  await send(page, "run `sed -i 's/one/changed/' a.txt`");
  await expect(log(page).getByRole('region', { name: 'Changes' }).locator('li[data-kind="modified"]')).toContainText('a.txt');
  const branch = `tether/${(await tabConversationId(page, 'gitrepo')).slice(0, 8)}`;
  // The shared folder is as it was; the Files panel shows the conversation's own worktree.
  expect(readFileSync(path.join(FILES, 'a.txt'), 'utf8')).toBe('one\n');
  await page.getByRole('button', { name: 'Files', exact: true }).click();
  const files = page.getByRole('complementary', { name: 'Files' });
  await expect(files.getByRole('button', { name: '.tether-worktrees/' })).toHaveCount(0);
  await files.getByRole('button', { name: 'a.txt', exact: true }).click();
  await expect(files.getByTestId('file-text')).toHaveText('changed');
  await files.getByRole('button', { name: 'Close' }).click();

  await chooseFromConversationMenu(page, 'Commit…');
  const dialog = page.getByRole('dialog', { name: 'Commit' });
  await expect(dialog.getByText(branch, { exact: true })).toBeVisible();
  const message = dialog.getByRole('textbox', { name: 'Commit message' });
  await expect(message).toHaveValue(/^run `sed/);
  await message.fill('Change a.txt');
  await dialog.getByRole('button', { name: 'Commit', exact: true }).click();
  await expect(dialog.getByTestId('commit-made')).toHaveText(new RegExp(`^Committed [0-9a-f]{12} on ${branch}\\.$`));
  const made = git('rev-parse', branch).trim();
  await expect(dialog.getByTestId('commit-made')).toHaveText(`Committed ${made.slice(0, 12)} on ${branch}.`);
  await expect(dialog.getByTestId('branch-commits')).toContainText('Change a.txt');
  expect(git('log', '-1', '--format=%s', branch).trim()).toBe('Change a.txt');
  expect(git('show', `${branch}:a.txt`)).toBe('changed\n');
  expect(git('rev-parse', 'main').trim()).not.toBe(made);

  // Nothing changed since: Commit says so, and the branch keeps its one commit.
  await dialog.getByRole('button', { name: 'Commit', exact: true }).click();
  await expect(dialog.getByRole('alert')).toContainText('Nothing to commit');
  await page.keyboard.press('Escape');
  await page.reload();
  await chooseFromConversationMenu(page, 'Commit…');
  await expect(page.getByRole('dialog', { name: 'Commit' }).getByTestId('branch-commits').locator('li')).toHaveCount(1);
});
