import { expect, test, type Page } from '@playwright/test';
import { log, send } from './support/chat';

const connection = (page: Page) => page.getByTestId('connection-status');

test('the header tells how the followed run is connected; offline, it resumes when back online with nothing missed or doubled', async ({ context, page }) => {
  await page.goto('/');
  await expect(connection(page)).toHaveText('');
  await expect(connection(page)).toHaveAttribute('role', 'status');
  await expect(connection(page)).toHaveAttribute('aria-live', 'polite');

  await send(page, 'count to 60');
  await expect(connection(page)).toHaveText('Live');
  const answer = log(page).getByTestId('assistant-message');
  await expect(answer).toContainText('3 ');

  await context.setOffline(true);
  await expect(connection(page)).toHaveText('Offline — will resume when back online');
  await context.setOffline(false);
  await expect(log(page).getByTestId('run-end')).toBeVisible();
  // Every number once, in order: the reconnect resumed after the last event it had.
  await expect(answer).toHaveText(Array.from({ length: 60 }, (_, i) => i + 1).join(' '));
  await expect(connection(page)).toHaveText('');
});
