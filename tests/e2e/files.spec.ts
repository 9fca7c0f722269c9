import { expect, test } from '@playwright/test';
import { log, send } from './support/chat';

test('the Files panel lists the workspace, opens a file read-only, and shows what a run changed', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Files' }).click();
  const files = page.getByRole('complementary', { name: 'Files' });
  await expect(files.getByRole('button', { name: 'src/' })).toBeVisible();
  await expect(files.getByRole('button', { name: 'README.md' })).toBeVisible();

  await files.getByRole('button', { name: 'src/' }).click();
  await expect(files.getByRole('button', { name: 'src/' })).toHaveAttribute('aria-expanded', 'true');
  await files.getByRole('button', { name: 'greet.ts' }).click();
  const view = files.getByRole('region', { name: 'File src/greet.ts' });
  await expect(view.getByTestId('file-text')).toContainText('export function greet(name: string): string {');

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
