import { expect, test, type Page } from '@playwright/test';
import { log, send } from './support/chat';

const recentEntry = (page: Page, preview: string) => page.getByRole('navigation', { name: 'Recent conversations' }).getByRole('listitem').filter({ hasText: preview });
const badge = (page: Page, preview: string) => recentEntry(page, preview).getByTestId('recent-badge');

test('the recent list marks a working conversation, then a finished one as new until it is opened, in every tab', async ({ context }) => {
  const page = await context.newPage();
  await page.goto('/');
  // A second tab of the same browser; the first one holds its conversation, so it gets its own.
  const other = await context.newPage();
  await other.goto('/');
  await expect(log(other)).toContainText('a Claude agent works on its files with you');

  await page.bringToFront();
  // The demo model streams one number per 100 ms: a run that lasts a few seconds.
  await send(page, 'count to 60');
  await expect(log(page).getByTestId('user-message')).toHaveText('count to 60');
  await page.getByRole('button', { name: 'New chat' }).click();
  await expect(log(page).getByTestId('user-message')).toHaveCount(0);

  await expect(badge(page, 'count to 60')).toHaveText(/^Working/);
  await expect(badge(page, 'count to 60')).toContainText('the agent is still on it'); // for screen readers
  await other.bringToFront();
  await expect(badge(other, 'count to 60')).toHaveText(/^Working/);

  // Nobody watched it finish: new, in both tabs.
  await expect(badge(other, 'count to 60')).toHaveText(/^New/);
  await page.bringToFront();
  await expect(badge(page, 'count to 60')).toHaveText(/^New/);

  // Opening it clears the badge here, and the other tab hears of it.
  await recentEntry(page, 'count to 60').getByRole('button').click();
  await expect(log(page).getByTestId('assistant-message')).toContainText('60');
  await expect(recentEntry(page, 'count to 60')).toHaveAttribute('data-run-status', 'completed');
  await expect(badge(page, 'count to 60')).toHaveCount(0);
  await other.bringToFront();
  await expect(badge(other, 'count to 60')).toHaveCount(0);

  // After a reload (the store comes back from localStorage, as after a browser restart) it stays seen.
  await other.reload();
  await expect(recentEntry(other, 'count to 60')).toHaveAttribute('data-run-status', 'completed');
  await expect(badge(other, 'count to 60')).toHaveCount(0);
});
