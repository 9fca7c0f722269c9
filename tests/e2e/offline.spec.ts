import { expect, test } from '@playwright/test';
import { png } from '../fixtures/attachment-files';
import { chooseFromConversationMenu, log, send, tabConversationId } from './support/chat';

test('offline, the app starts from the service worker with a saved copy and says so; back online it is live again', async ({ context, page }) => {
  await page.goto('/');
  await send(page, 'hello before the train');
  await expect(log(page).getByTestId('run-end')).toBeVisible();
  // From the worker's first control on, the page and the history it loads are saved as they come.
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  await page.reload();
  await expect(log(page).getByTestId('user-message')).toHaveText(['hello before the train']);

  await context.setOffline(true);
  await page.reload();
  await expect(page.getByText('Offline — showing a saved copy')).toBeVisible();
  await expect(log(page).getByTestId('user-message')).toHaveText(['hello before the train']);
  await expect(log(page).getByTestId('run-end')).toHaveCount(1);
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeDisabled();
  await expect(page.getByText('You are offline: messages can be sent once the network is back.')).toBeVisible();

  await context.setOffline(false);
  await expect(page.getByText('Offline — showing a saved copy')).toHaveCount(0);
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeEnabled();
  await send(page, 'back online');
  await expect(log(page).getByTestId('run-end')).toHaveCount(2);
});

test('offline after a first visit: what the worker missed before it took control is saved, so a reload shows the conversation', async ({ context, page }) => {
  await page.goto('/');
  await send(page, 'hello on the platform');
  await expect(log(page).getByTestId('run-end')).toBeVisible();
  const id = await tabConversationId(page);
  // No reload: this first load came before the worker, which took control during it.
  const saved = () =>
    page.evaluate(async (conversation) => {
      const [history, shell] = await Promise.all([caches.match(`/api/conversations/${conversation}`), caches.match('/')]);
      return Boolean(shell) && Boolean(history) && (await history!.text()).includes('hello on the platform');
    }, id);
  await expect.poll(saved).toBe(true);

  await context.setOffline(true);
  await page.reload();
  await expect(page.getByText('Offline — showing a saved copy')).toBeVisible();
  await expect(log(page).getByTestId('user-message')).toHaveText(['hello on the platform']);
  await expect(log(page).getByTestId('run-end')).toHaveCount(1);
  // The saved page runs under the policy it was served with (its scripts carry that nonce): it is live.
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeDisabled();
});

test('offline, a page never saved shows the offline page, whose scripts run under its own policy', async ({ context, page }) => {
  const violations: string[] = [];
  page.on('console', (message) => {
    // Playwright's own page.evaluate() counts as eval; the app has none.
    if (message.type() === 'error' && message.text().includes('Content Security Policy') && !message.text().includes('eval')) violations.push(message.text());
  });
  await page.goto('/');
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  await context.setOffline(true);
  await page.goto('/never-opened');
  await expect(page.getByRole('heading', { name: 'You are offline' })).toBeVisible();
  await expect.poll(() => page.evaluate(() => document.readyState)).toBe('complete');
  expect(violations).toEqual([]);
});

test('deleting a conversation removes its saved copy', async ({ page }) => {
  await page.goto('/');
  await send(page, 'soon deleted');
  await expect(log(page).getByTestId('run-end')).toBeVisible();
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  await page.reload();
  await expect(log(page).getByTestId('user-message')).toHaveText(['soon deleted']);
  const id = await page.evaluate(() => sessionStorage.getItem('tether-tab-conversation:demo'));
  const saved = () => page.evaluate(async (conversation) => Boolean(await (await caches.open('tether-conversations')).match(`/api/conversations/${conversation}`)), id);
  await expect.poll(saved).toBe(true);
  page.once('dialog', (dialog) => void dialog.accept());
  await chooseFromConversationMenu(page, 'Delete conversation');
  await expect.poll(saved).toBe(false);
});

test('offline, a saved conversation shows its pictures too; deleting it forgets them', async ({ context, page }) => {
  await page.goto('/');
  await expect.poll(() => page.evaluate(() => sessionStorage.getItem('tether-tab-conversation:demo'))).toMatch(/^[0-9a-f-]{36}$/);
  await page.getByLabel('Attach files').setInputFiles({ name: 'diagram.png', mimeType: 'image/png', buffer: png(120, 80) });
  await expect(page.getByTestId('attachment-chip').getByRole('status')).toHaveCount(0);
  await send(page, 'keep this for the train');
  await expect(log(page).getByTestId('run-end')).toBeVisible();
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  await page.reload();
  const thumbnail = log(page).getByTestId('attachment-thumbnail');
  const shown = () => thumbnail.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth);
  await expect.poll(shown).toBe(120);

  await context.setOffline(true);
  await page.reload();
  await expect(page.getByText('Offline — showing a saved copy')).toBeVisible();
  await expect.poll(shown).toBe(120);

  await context.setOffline(false);
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeEnabled();
  const kept = () => page.evaluate(async () => (await (await caches.open('tether-attachments')).keys()).length);
  expect(await kept()).toBe(1);
  page.once('dialog', (dialog) => void dialog.accept());
  await chooseFromConversationMenu(page, 'Delete conversation');
  await expect.poll(kept).toBe(0);
});
