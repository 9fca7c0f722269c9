import { expect, test } from '@playwright/test';
import { log, send } from './support/chat';

test('"/" lists the commands; the arrows and Enter pick one, which runs and stays in the history as typed', async ({ page }) => {
  await page.goto('/');
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill('/');
  const list = page.getByRole('listbox', { name: 'Commands' });
  await expect(list.getByRole('option')).toContainText(['/compact', '/context', '/init', '/code-review', '/security-review', '/explain']);
  await expect(list.getByRole('option', { name: /explain/ })).toContainText('Explain a file of this workspace in plain words');
  await box.pressSequentially('ex');
  await expect(list.getByRole('option')).toHaveCount(1);
  await expect(list.getByRole('option')).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Enter');
  // It takes an argument: the box waits for it.
  await expect(box).toHaveValue('/explain ');
  await expect(list).toBeHidden();
  await box.pressSequentially('src/greet.ts');
  await page.keyboard.press('Enter');
  await expect(log(page).getByTestId('user-message')).toHaveText(['/explain src/greet.ts']);
  await expect(log(page).getByTestId('run-end')).toHaveAttribute('data-status', 'completed');

  await page.reload();
  await expect(log(page).getByTestId('user-message')).toHaveText(['/explain src/greet.ts']);

  // Escape closes the list and leaves the text; a command that is not offered is refused, the text kept.
  await box.fill('/co');
  await expect(list.getByRole('option')).toHaveCount(3); // compact, context, code-review
  await page.keyboard.press('Escape');
  await expect(list).toBeHidden();
  await expect(box).toHaveValue('/co');
  // Nothing offered starts so: no list.
  await box.fill('/cle');
  await expect(list).toBeHidden();
  await box.fill('/clear');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByRole('alert').filter({ hasText: '/clear is not a command here' })).toBeVisible();
  await expect(box).toHaveValue('/clear');
});

test('a command without arguments is sent as it is picked: /context shows how the context is used', async ({ page }) => {
  await page.goto('/');
  await send(page, 'hello there');
  await expect(log(page).getByTestId('run-end')).toHaveCount(1);
  await page.getByRole('textbox', { name: 'Message' }).fill('/cont');
  await page
    .getByRole('listbox', { name: 'Commands' })
    .getByRole('option', { name: /\/context/ })
    .click();
  await expect(log(page).getByTestId('user-message').last()).toHaveText('/context');
  await expect(log(page).getByTestId('assistant-message').last()).toContainText('Context Usage');
  await page.reload();
  await expect(log(page).getByTestId('user-message')).toHaveText(['hello there', '/context']);
});

test('Branch from here opens a new tab with the history up to that answer, listed in Recent; the original is unchanged', async ({ page, context }) => {
  await page.goto('/');
  await send(page, 'hello there');
  await send(page, 'read README.md');
  await expect(log(page).getByTestId('run-end')).toHaveCount(2);

  const opened = context.waitForEvent('page');
  await log(page).getByTestId('run-end').first().getByRole('button', { name: 'Branch from here' }).click();
  const branch = await opened;
  await expect(log(branch).getByTestId('user-message')).toHaveText(['hello there']);
  await expect(log(branch).getByTestId('assistant-message')).toHaveCount(1);
  await expect(branch.getByRole('heading', { name: 'hello there (branch)' })).toBeVisible();
  await send(branch, 'and now?');
  // (The copied answer's run belongs to the original conversation: only the branch's own shows its outcome.)
  await expect(log(branch).getByTestId('run-end')).toHaveCount(1);
  await expect(log(branch).getByTestId('user-message')).toHaveText(['hello there', 'and now?']);

  // The original goes on as it was, and both tabs list the branch in Recent.
  await expect(log(page).getByTestId('user-message')).toHaveText(['hello there', 'read README.md']);
  await expect(page.getByRole('navigation', { name: 'Recent conversations' })).toContainText('hello there (branch)');
  await expect(branch.getByRole('navigation', { name: 'Recent conversations' })).toContainText('hello there (branch)');
});
