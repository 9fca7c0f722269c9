import { expect, test } from '@playwright/test';
import { log, send, tabConversationId } from './support/chat';
import { expectedPush, notifyMe, openNotifications, pushBrowser, service, setUpPushService, waitForRunEnd } from './support/push';

/** Which runs send a push: not a muted conversation's, not one watched to the end, not after turning it off. */

setUpPushService();

test('a muted conversation sends no push', async ({ browser }) => {
  const subscription = service.subscribe();
  const context = await pushBrowser(browser, subscription);
  const page = await context.newPage();
  await page.goto('/');
  await send(page, 'count to 40');
  const muted = await tabConversationId(page);
  await notifyMe(page);
  const notifications = await openNotifications(page);
  await notifications.getByRole('button', { name: 'Mute', exact: true }).click();
  await expect(notifications.getByRole('status').filter({ hasText: 'Notifications muted' })).toBeVisible();
  // Nobody watches it finish.
  await page.goto('/api/health');
  await waitForRunEnd(context, muted);
  // The mute is kept on the server: back in the conversation, it shows muted.
  await page.goto('/');
  await expect(log(page).getByTestId('user-message')).toHaveText('count to 40');
  const again = await openNotifications(page);
  await expect(again.getByRole('status').filter({ hasText: 'Notifications muted' })).toBeVisible();
  await expect(again.getByRole('button', { name: 'Unmute' })).toBeVisible();

  // The same browser's next conversation, not muted, finishes with nobody watching: its push
  // arrives, and it is the only one (pushes go out as runs finish, the muted one finished first).
  const other = await context.newPage();
  await other.goto('/');
  await other.getByRole('button', { name: 'New chat' }).click();
  await send(other, 'count to 5');
  const loud = await tabConversationId(other);
  await notifyMe(other);
  await other.close();
  await waitForRunEnd(context, loud);
  const requests = await service.waitFor(1, subscription.endpoint);
  expect(requests.map((request) => request.payload)).toEqual([expectedPush(loud)]);
  await page.close();
  await context.close();
});

test('notifications in one place: the conversation says they are on; Settings names the subscriptions and turns them off', async ({ browser }) => {
  const subscription = service.subscribe();
  const context = await pushBrowser(browser, subscription);
  const page = await context.newPage();
  await page.goto('/');
  await send(page, 'hello');
  await notifyMe(page);
  await page.getByRole('button', { name: 'Settings' }).click();
  const settings = page.getByRole('dialog', { name: 'Settings' });
  await expect(settings).toContainText('Subscribed for 1 conversation.');
  await settings.getByRole('button', { name: 'Turn off on this device' }).click();
  await expect(settings).toContainText('Not subscribed');
  await page.keyboard.press('Escape');
  await expect(settings).toBeHidden();
  // Nothing claims to be on: the conversation offers it again.
  const notifications = await openNotifications(page);
  await expect(notifications.getByRole('button', { name: 'Notify me when done' })).toBeVisible();
  await expect(notifications.getByText('Notifications on', { exact: true })).toHaveCount(0);
  await context.close();
});

test('a run watched to the end in a visible tab sends no push', async ({ browser }) => {
  const subscription = service.subscribe();
  const context = await pushBrowser(browser, subscription);
  const page = await context.newPage();
  await page.goto('/');
  await send(page, 'count to 10');
  const watched = await tabConversationId(page);
  await notifyMe(page);
  expect(await page.evaluate(() => document.visibilityState)).toBe('visible');
  await expect(log(page).getByTestId('run-end')).toBeVisible();
  await waitForRunEnd(context, watched);

  // Then one that nobody watches: only its push arrives.
  await page.getByRole('button', { name: 'New chat' }).click();
  await send(page, 'count to 5');
  const unwatched = await tabConversationId(page);
  await notifyMe(page);
  await page.close();
  await waitForRunEnd(context, unwatched);
  const requests = await service.waitFor(1, subscription.endpoint);
  expect(requests.map((request) => request.payload)).toEqual([expectedPush(unwatched)]);
  await context.close();
});
