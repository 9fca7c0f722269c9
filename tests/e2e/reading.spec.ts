import { expect, test } from '@playwright/test';
import { log, send } from './support/chat';

test('answers read well: GFM tables and task lists, model names, Copy on code and answers', async ({ context, page }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/');
  await send(page, 'show a table');
  const answer = log(page).getByTestId('assistant-message').last();
  await expect(answer.locator('table')).toBeVisible();
  await expect(answer.getByRole('cell', { name: 'src/greet.ts' })).toBeVisible();
  await expect(answer.getByRole('checkbox')).toHaveCount(2);
  await expect(answer.locator('del')).toHaveText('Pick a name');
  await expect(log(page).getByTestId('run-end')).toContainText('Claude Sonnet 4.5 in');

  await log(page).getByRole('button', { name: 'Copy code' }).click();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe('export const answer = 42;\n');
  await log(page).getByRole('button', { name: 'Copy answer' }).last().click();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toContain('| File | What it is |');
});

test('scrolled up during a stream, the view stays put; "Jump to latest" follows again', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 420 });
  await page.goto('/');
  for (const text of ['list the files', 'read README.md']) {
    await send(page, text);
    await expect(log(page).getByTestId('run-end')).toHaveCount(text === 'list the files' ? 1 : 2);
  }
  await send(page, 'count to 80');
  const answer = log(page).getByTestId('assistant-message').last();
  await expect(answer).toContainText('3 ');
  await log(page).evaluate((element) => element.scrollTo({ top: 0 }));
  const jump = page.getByRole('button', { name: 'Jump to latest' });
  await expect(jump).toBeVisible();
  await expect(answer).toContainText('20 ');
  expect(await log(page).evaluate((element) => element.scrollTop)).toBe(0);
  await jump.click();
  await expect(jump).toHaveCount(0);
  await expect(log(page).getByTestId('run-end').last()).toBeInViewport();
});
