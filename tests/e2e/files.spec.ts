import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { E2E_DATA_DIR } from '../../playwright.config';
import { log, send } from './support/chat';

const onDisk = (relative: string) => path.join(E2E_DATA_DIR, 'workspaces', 'demo', 'files', relative);

test('the Files panel lists the workspace, opens a file read-only, and shows what a run changed', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Files', exact: true }).click();
  const files = page.getByRole('complementary', { name: 'Files' });
  await expect(files.getByRole('button', { name: 'src/' })).toBeVisible();
  await expect(files.getByRole('button', { name: 'README.md' })).toBeVisible();

  await files.getByRole('button', { name: 'src/' }).click();
  await expect(files.getByRole('button', { name: 'src/' })).toHaveAttribute('aria-expanded', 'true');
  await files.getByRole('button', { name: 'greet.ts' }).click();
  const view = files.getByRole('region', { name: 'File src/greet.ts' });
  await expect(view.getByTestId('file-text')).toContainText('export function greet(name: string): string {');
  // Highlighted (the highlighter loads on first use): keywords and the template string are marked.
  await expect(view.locator('code[data-highlighted="true"] .hljs-keyword').first()).toHaveText('export');
  await expect(view.locator('.hljs-string')).toContainText('Hello');

  // The agent writes a file (build mode): once the run ends, the panel lists it.
  await page.getByRole('combobox', { name: 'Mode', exact: true }).selectOption('build');
  await send(page, 'write from-the-agent.md');
  await expect(log(page).getByTestId('run-end')).toBeVisible();
  await files.getByRole('button', { name: 'from-the-agent.md' }).click();
  await expect(files.getByRole('region', { name: 'File from-the-agent.md' }).getByTestId('file-text')).toContainText("Written by Tether's demo model.");
});

test('the file API refuses paths out of the workspace with JSON 404s', async ({ page }) => {
  await page.goto('/');
  const answers = await page.evaluate(async () => {
    const probe = async (url: string) => {
      const response = await fetch(url);
      return { status: response.status, body: await response.json() };
    };
    return Promise.all(['../../session-secret', '/etc/passwd', 'src/../../../workspaces', 'README.md\u0000'].map((target) => probe(`/api/files/content?path=${encodeURIComponent(target)}`)));
  });
  for (const answer of answers) expect(answer).toEqual({ status: 404, body: { error: { code: 'not_found:file', message: 'No such file or folder in this workspace.' } } });
});

test("a run's Changes show its diff; Undo restores the file on disk; both survive a reload", async ({ page }) => {
  const file = onDisk('notes/todo.md');
  const original = readFileSync(file, 'utf8');
  await page.goto('/');
  await page.getByRole('combobox', { name: 'Mode', exact: true }).selectOption('build');
  await send(page, 'edit notes/todo.md');
  const changes = log(page).getByRole('region', { name: 'Changes' });
  await expect(changes).toContainText('notes/todo.md');
  await expect(changes.getByLabel('1 added')).toHaveText('+1');
  await expect(changes.getByLabel('0 removed')).toHaveText('−0');
  expect(readFileSync(file, 'utf8')).toBe(`${original}Edited by Tether's demo model.\n`);

  await page.reload();
  await changes.getByText('notes/todo.md', { exact: true }).click();
  await expect(changes.getByLabel('Changes to notes/todo.md')).toContainText("+Edited by Tether's demo model.");
  await changes.getByRole('button', { name: 'Undo these changes' }).click();
  await expect(changes.getByRole('status')).toHaveText('Undone: the file is back as it was before this run.');
  expect(readFileSync(file, 'utf8')).toBe(original);
  await page.reload();
  await expect(changes.getByRole('status')).toContainText('Undone');
  await expect(changes.getByRole('button', { name: 'Undo these changes' })).toHaveCount(0);
});

test('Undo refuses, changing nothing, when the file was edited outside the agent since', async ({ page }) => {
  const file = onDisk('README.md');
  const original = readFileSync(file, 'utf8');
  await page.goto('/');
  await page.getByRole('combobox', { name: 'Mode', exact: true }).selectOption('build');
  await send(page, 'edit README.md');
  const changes = log(page).getByRole('region', { name: 'Changes' });
  await expect(changes).toContainText('README.md');
  writeFileSync(file, 'Edited by hand.\n');
  try {
    await changes.getByRole('button', { name: 'Undo these changes' }).click();
    await expect(changes.getByRole('alert')).toContainText('README.md changed after this run');
    expect(readFileSync(file, 'utf8')).toBe('Edited by hand.\n');
  } finally {
    writeFileSync(file, original);
  }
});
