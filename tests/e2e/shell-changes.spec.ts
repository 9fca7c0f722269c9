import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { E2E_DATA_DIR, E2E_PORT } from '../../playwright.config';
import { chooseFromConversationMenu, log, send } from './support/chat';

/** A workspace with a shell, made on disk as an operator would: the server finds it at its address. */
const ROOT = path.join(E2E_DATA_DIR, 'workspaces', 'shell');
const ORIGINAL: Record<string, string> = { 'README.md': '# Shell workspace\n\nA Demo line.\n', 'old.txt': 'to be renamed\n', 'gone.txt': 'to be removed\n' };
const onDisk = (relative: string) => path.join(ROOT, 'files', relative);

test.beforeAll(() => {
  mkdirSync(path.join(ROOT, 'files'), { recursive: true });
  writeFileSync(path.join(ROOT, 'workspace.json'), JSON.stringify({ allowBash: true }));
  for (const [name, text] of Object.entries(ORIGINAL)) writeFileSync(onDisk(name), text);
});

test("a shell command's edits are a run's Changes, each with its kind; Undo brings every file back, and both survive a reload", async ({ page }) => {
  await page.goto(`http://shell.localhost:${E2E_PORT}/`);
  await page.getByRole('combobox', { name: 'Mode', exact: true }).selectOption('build');
  await send(page, "run `sed -i 's/Demo/Shell/' README.md && mv old.txt new.txt && rm gone.txt && printf '\\000\\001\\002' > blob.bin && mkdir d && touch d/e`");
  const changes = log(page).getByRole('region', { name: 'Changes' });
  await expect(changes.locator('li[data-kind]')).toHaveCount(5);
  await expect(changes.locator('li[data-kind="modified"]')).toContainText('README.md');
  await expect(changes.locator('li[data-kind="renamed"]')).toContainText(/new\.txt\s+from old\.txt/);
  await expect(changes.locator('li[data-kind="deleted"]')).toContainText('gone.txt');
  await expect(changes.locator('li[data-kind="added"]')).toContainText(['blob.bin', 'd/e']);
  await expect(changes.locator('li[data-kind="added"]').filter({ hasText: 'blob.bin' })).toContainText('binary, 3 B');
  expect(readFileSync(onDisk('README.md'), 'utf8')).toBe('# Shell workspace\n\nA Shell line.\n');

  // The conversation's whole change, and a patch of it that git apply takes.
  await chooseFromConversationMenu(page, 'Changes in this conversation');
  const dialog = page.getByRole('dialog', { name: 'Changes in this conversation' });
  await expect(dialog.locator('li[data-kind]')).toHaveCount(5);
  const download = page.waitForEvent('download');
  await dialog.getByRole('link', { name: 'Download patch' }).click();
  const patch = readFileSync((await (await download).path())!, 'utf8');
  expect(patch).toContain('diff --git a/README.md b/README.md');
  expect(patch).toContain('rename from old.txt');
  expect(patch).toContain('GIT binary patch');
  await page.keyboard.press('Escape');

  await page.reload();
  await changes.getByText('README.md', { exact: true }).click();
  await expect(changes.getByLabel('Changes to README.md')).toContainText('+A Shell line.');
  await changes.getByRole('button', { name: 'Undo these changes' }).click();
  await expect(changes.getByRole('status')).toContainText('Undone');
  for (const [name, text] of Object.entries(ORIGINAL)) expect(readFileSync(onDisk(name), 'utf8')).toBe(text);
  for (const name of ['new.txt', 'blob.bin', 'd']) expect(existsSync(onDisk(name))).toBe(false);
  await page.reload();
  await expect(changes.getByRole('status')).toContainText('Undone');
  await expect(changes.getByRole('button', { name: 'Undo these changes' })).toHaveCount(0);
});
