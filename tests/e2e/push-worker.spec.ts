import { expect, test } from '@playwright/test';
import type { PushRequest } from '../fixtures/push-service';
import { log, send, tabConversationId } from './support/chat';
import { appWorker, deliverPush, expectedPush, notifyMe, origin, pushBrowser, service, setUpPushService, tapNotification } from './support/push';

/**
 * The service worker's side of push: it shows what arrives and opens the conversation on a tap,
 * after a run finished or while one waits for approval; and it makes the app installable.
 */

setUpPushService();

test('receiving a push on completion and tapping it: the tab was closed, the notification reopens that conversation', async ({ browser }) => {
  const subscription = service.subscribe();
  const context = await pushBrowser(browser, subscription);
  const page = await context.newPage();
  await page.goto('/');
  await send(page, 'count to 30');
  const conversationId = await tabConversationId(page);
  await notifyMe(page);
  await appWorker(context);
  // The browser's current conversation becomes another one, then nobody is watching the run.
  await page.getByRole('button', { name: 'New chat' }).click();
  await expect(log(page).getByTestId('user-message')).toHaveCount(0);
  await page.close();

  // The server's real web-push request, checked and decrypted by the test push service.
  const [request] = (await service.waitFor(1, subscription.endpoint)) as [PushRequest];
  expect(request.vapidProblem).toBeNull();
  expect(request.status).toBe(201);
  expect(request.payload).toEqual(expectedPush(conversationId));

  // The real service worker shows it, tagged by conversation.
  const shown = await deliverPush(context, request.payload);
  expect(shown).toEqual({
    title: 'Task is ready',
    body: 'claude-sonnet-4-5 in build mode is done working',
    tag: `conversation-${conversationId}`,
    icon: `${origin()}/icons/icon-192.png`,
    badge: `${origin()}/icons/badge-96.png`,
    data: { conversationId, url: `/?c=${conversationId}` },
  });

  // No window of the app is open: tapping opens the conversation's URL and closes the notification.
  expect(await tapNotification(context)).toEqual({ openWindow: [`${origin()}/?c=${conversationId}`], focus: [], open: 0 });

  // iOS may start the home-screen app at its start URL instead: the app finds the tap's target.
  const started = await context.newPage();
  await started.goto('/');
  await expect(log(started).getByTestId('user-message')).toHaveText('count to 30');
  await expect(log(started).getByTestId('assistant-message')).toContainText('28 29 30');
  expect(await tabConversationId(started)).toBe(conversationId);

  // With the app open on another conversation, a tap focuses it and switches it to this one.
  await started.getByRole('button', { name: 'New chat' }).click();
  await expect(log(started).getByTestId('user-message')).toHaveCount(0);
  await deliverPush(context, request.payload);
  const calls = await tapNotification(context);
  expect(calls.openWindow).toEqual([]);
  expect(calls.focus).toHaveLength(1);
  await expect(log(started).getByTestId('user-message')).toHaveText('count to 30');
  expect(await tabConversationId(started)).toBe(conversationId);
  // The message did the job: nothing is left for the next start.
  await started.reload();
  await expect(log(started).getByTestId('user-message')).toHaveText('count to 30');
  await context.close();
});

test('ask mode: with no tab watching, "Approval needed" arrives; tapping it opens the conversation with the card, one tap from Allow', async ({ browser }) => {
  const subscription = service.subscribe();
  const context = await pushBrowser(browser, subscription);
  const page = await context.newPage();
  await page.goto('/');
  await send(page, 'hello');
  const conversationId = await tabConversationId(page);
  await notifyMe(page);
  await expect(log(page).getByTestId('run-end')).toBeVisible();
  // Nobody watches the next message: sent from a page that shows no chat, in ask mode.
  await page.goto('/api/health');
  const sent = await page.evaluate(async (id) => {
    const response = await fetch(`/api/conversations/${id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'write from-afar.md', model: 'claude-sonnet-4-5', mode: 'ask' }),
    });
    return response.status;
  }, conversationId);
  expect(sent).toBe(202);
  await page.close(); // no window of the app is open when the notification is tapped

  const [request] = (await service.waitFor(1, subscription.endpoint)) as [PushRequest];
  expect(request.status).toBe(201);
  expect(request.payload).toEqual({
    title: 'Approval needed',
    body: 'claude-sonnet-4-5 in ask mode is waiting for your approval',
    data: { conversationId, url: `/?c=${conversationId}` },
  });
  const shown = await deliverPush(context, request.payload);
  expect(shown).toMatchObject({ title: 'Approval needed', tag: `conversation-${conversationId}` });
  expect(await tapNotification(context)).toEqual({ openWindow: [`${origin()}/?c=${conversationId}`], focus: [], open: 0 });

  // The window the tap opens: the card is there, in view, and answers.
  const opened = await context.newPage();
  await opened.goto(`/?c=${conversationId}`);
  const card = log(opened).getByTestId('approval-card');
  await expect(card).toHaveAttribute('data-state', 'pending');
  await expect(card).toContainText('The agent wants to create from-afar.md');
  await expect(card.getByRole('button', { name: 'Allow', exact: true })).toBeInViewport();
  await card.getByRole('button', { name: 'Allow', exact: true }).click();
  await expect(log(opened).getByTestId('assistant-message').last()).toContainText('File created successfully');
  await context.close();
});

test('the app is installable: manifest, icons, service worker and offline page on the workspace address', async ({ page }) => {
  await page.goto('/');
  const manifestHref = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(manifestHref).toBeTruthy();
  const manifest = await page.evaluate(async (href) => (await fetch(href)).json(), manifestHref!);
  expect(manifest).toMatchObject({ name: 'Tether', short_name: 'Tether', start_url: '/', scope: '/', display: 'standalone' });
  const purposes = (manifest.icons as Array<{ sizes: string; purpose: string; src: string }>).map((icon) => `${icon.sizes} ${icon.purpose}`);
  expect(purposes).toEqual(expect.arrayContaining(['192x192 any', '512x512 any', '512x512 maskable']));
  const iconTypes = await page.evaluate(
    (sources) => Promise.all(sources.map(async (src) => (await fetch(src)).headers.get('content-type'))),
    (manifest.icons as Array<{ src: string }>).map((icon) => icon.src),
  );
  expect(iconTypes).toEqual(iconTypes.map(() => 'image/png'));
  await expect(page.locator('link[rel="apple-touch-icon"]')).toHaveAttribute('href', '/icons/apple-touch-icon.png');
  await expect(page.locator('meta[name="mobile-web-app-capable"], meta[name="apple-mobile-web-app-capable"]').first()).toHaveAttribute('content', 'yes');

  // The worker takes control and has the offline page precached: offline, loading a page this
  // browser never saved shows it (the one it opened is kept from this first visit on).
  await expect.poll(() => page.evaluate(async () => (await navigator.serviceWorker.ready).active?.state)).toBe('activated');
  await expect.poll(() => page.evaluate(async () => (await caches.keys()).some((name) => name.includes('precache')))).toBe(true);
  await expect.poll(() => page.evaluate(() => caches.match('/~offline', { ignoreSearch: true }).then((response) => response?.status ?? null))).toBe(200);
  await page.context().setOffline(true);
  await page.goto('/never-opened');
  await expect(page.getByRole('heading', { name: 'You are offline' })).toBeVisible();
  await page.context().setOffline(false);
});
