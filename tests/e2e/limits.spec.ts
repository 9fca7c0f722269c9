import { expect, test } from '@playwright/test';
import { log, send } from './support/chat';

test("a visitor's third run at once is refused, and the page says why in plain words", async ({ page }) => {
  await page.goto('/');
  // Two long answers going (the default share is two runs at once per visitor)…
  for (const text of ['count to 40', 'count to 39']) {
    await send(page, text);
    await expect(page.getByRole('button', { name: 'Stop' })).toBeVisible();
    await page.getByRole('button', { name: 'New chat' }).click();
  }
  // …so a third message waits for neither: it is refused with the reason.
  await page.getByRole('textbox', { name: 'Message' }).fill('one more');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'You already have 2 runs going' })).toBeVisible();
  await expect(log(page).getByTestId('user-message')).toHaveCount(0);
});
