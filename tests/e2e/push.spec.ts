import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Browser, type BrowserContext, type CDPSession, type Page, type Worker } from '@playwright/test';
import { E2E_PUSH_TLS_DIR } from '../../playwright.config';
import { startPushService, type PushRequest, type PushService, type TestSubscription } from '../fixtures/push-service';
import { log, send, tabConversationId } from './support/chat';

/**
 * Receiving a push when a run finishes and tapping it, in Chromium against the real server and
 * the real service worker. Chromium can't get a real push subscription offline, so the page's
 * `pushManager.subscribe` returns a subscription on a test push service (HTTPS on 127.0.0.1, with
 * real P-256 keys); the server's real web-push request arrives there and is decrypted, and that
 * payload is handed to the service worker through CDP `ServiceWorker.deliverPushMessage`.
 */

let service: PushService;

test.beforeAll(async () => {
  // The certificate the app was started trusting (NODE_EXTRA_CA_CERTS, see playwright.config.ts).
  const dir = path.resolve(import.meta.dirname, '../..', E2E_PUSH_TLS_DIR);
  service = await startPushService({ tls: { key: readFileSync(`${dir}/key.pem`, 'utf8'), cert: readFileSync(`${dir}/cert.pem`, 'utf8') } });
});

test.afterAll(async () => {
  await service?.close();
});

function origin(): string {
  return new URL(test.info().project.use.baseURL!).origin;
}

/** A browser that may show notifications and whose Push API hands out `subscription`. */
async function pushBrowser(browser: Browser, subscription: TestSubscription): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.grantPermissions(['notifications'], { origin: origin() });
  await context.addInitScript((sub: TestSubscription) => {
    const bytes = (value: string) => Uint8Array.from(atob(value.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)).buffer;
    let current: PushSubscription | null = null;
    PushManager.prototype.subscribe = async function (options?: PushSubscriptionOptionsInit) {
      const key = options?.applicationServerKey;
      const applicationServerKey = key instanceof ArrayBuffer ? key.slice(0) : ArrayBuffer.isView(key) ? new Uint8Array(key.buffer, key.byteOffset, key.byteLength).slice().buffer : null;
      current = {
        endpoint: sub.endpoint,
        expirationTime: null,
        options: { applicationServerKey, userVisibleOnly: true },
        getKey: (name: PushEncryptionKeyName) => bytes(sub.keys[name]),
        toJSON: () => ({ endpoint: sub.endpoint, expirationTime: null, keys: sub.keys }),
        unsubscribe: async () => {
          current = null;
          return true;
        },
      } as PushSubscription;
      return current;
    };
    PushManager.prototype.getSubscription = async () => current;
  }, subscription);
  return context;
}

/** Asks for a notification for the tab's conversation, as a visitor does after sending. */
async function notifyMe(page: Page) {
  await page.getByRole('button', { name: 'Notify me when done' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Notifications on' })).toBeVisible();
}

/**
 * Until the conversation's run has finished on the server, asked from a page of the app's origin
 * that does not show the chat (so it watches nothing). Node can't resolve `demo.localhost`.
 */
async function waitForRunEnd(context: BrowserContext, conversationId: string) {
  const probe = await context.newPage();
  await probe.goto('/api/health');
  await expect
    .poll(
      () =>
        probe.evaluate(async (id) => {
          const response = await fetch(`/api/conversations/${id}`);
          return response.ok && ((await response.json()) as { activeRun: unknown }).activeRun === null;
        }, conversationId),
      { timeout: 60_000 },
    )
    .toBe(true);
  await probe.close();
}

const expectedPush = (conversationId: string) => ({
  title: 'Task is ready',
  body: 'claude-sonnet-4-5 in build mode is done working',
  data: { conversationId, url: `/?c=${conversationId}` },
});

/** The app's service worker, once it runs (registered by the page on load). */
async function appWorker(context: BrowserContext): Promise<Worker> {
  const existing = context.serviceWorkers().find((worker) => worker.url().endsWith('/sw.js'));
  return existing ?? context.waitForEvent('serviceworker', { predicate: (worker) => worker.url().endsWith('/sw.js') });
}

/** CDP on a page of another origin (so it is no window of the app), for the ServiceWorker domain. */
async function serviceWorkerDomain(context: BrowserContext): Promise<{ cdp: CDPSession; registrationId: () => Promise<string> }> {
  const blank = await context.newPage();
  const cdp = await context.newCDPSession(blank);
  const registrations = new Map<string, string>();
  cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations: updated }) => {
    for (const registration of updated) if (!registration.isDeleted) registrations.set(registration.scopeURL, registration.registrationId);
  });
  await cdp.send('ServiceWorker.enable');
  const registrationId = async () => {
    await expect.poll(() => registrations.get(`${origin()}/`)).toBeTruthy();
    return registrations.get(`${origin()}/`)!;
  };
  return { cdp, registrationId };
}

type Shown = { title: string; body: string; tag: string; icon: string; badge: string; data: unknown };

/**
 * Hands a push to the real service worker and returns the notification it showed. Finished
 * `showNotification` calls are counted first: reading `getNotifications()` before one has
 * finished makes Chromium drop it.
 */
async function deliverPush(context: BrowserContext, payload: unknown): Promise<Shown> {
  const worker = await appWorker(context);
  await worker.evaluate(() => {
    const sw = self as unknown as ServiceWorkerGlobalScope & { __shown?: number };
    if (sw.__shown !== undefined) return;
    sw.__shown = 0;
    const show = sw.registration.showNotification.bind(sw.registration);
    sw.registration.showNotification = async (...args: Parameters<ServiceWorkerRegistration['showNotification']>) => {
      await show(...args);
      sw.__shown! += 1;
    };
  });
  const before = await worker.evaluate(() => (self as unknown as { __shown: number }).__shown);
  const { cdp, registrationId } = await serviceWorkerDomain(context);
  await cdp.send('ServiceWorker.deliverPushMessage', { origin: origin(), registrationId: await registrationId(), data: JSON.stringify(payload) });
  await expect.poll(() => worker.evaluate(() => (self as unknown as { __shown: number }).__shown)).toBe(before + 1);
  const shown = await worker.evaluate(async () => {
    const sw = self as unknown as ServiceWorkerGlobalScope;
    return (await sw.registration.getNotifications()).map(({ title, body, tag, icon, badge, data }) => ({ title, body, tag, icon, badge, data }));
  });
  expect(shown).toHaveLength(1);
  return shown[0]!;
}

type ClickCalls = { openWindow: string[]; focus: string[]; open: number };

/**
 * Taps the notification: a `notificationclick` for it, dispatched in the worker, with
 * `clients.openWindow` and `WindowClient.focus` recorded (focus still returns the window, so the
 * worker's message reaches the page).
 */
async function tapNotification(context: BrowserContext): Promise<ClickCalls> {
  const worker = await appWorker(context);
  return worker.evaluate(async () => {
    const sw = self as unknown as ServiceWorkerGlobalScope;
    const calls = { openWindow: [] as string[], focus: [] as string[], open: 0 };
    sw.clients.openWindow = async (url: string | URL) => {
      calls.openWindow.push(String(url));
      return null;
    };
    WindowClient.prototype.focus = async function (this: WindowClient) {
      calls.focus.push(this.url);
      return this;
    };
    const [notification] = await sw.registration.getNotifications();
    if (!notification) throw new Error('no notification to tap');
    const event = new NotificationEvent('notificationclick', { notification });
    // A script-made event can't be extended (waitUntil throws): keep the promise and await it.
    let pending: Promise<unknown> = Promise.resolve();
    Object.defineProperty(event, 'waitUntil', { value: (promise: Promise<unknown>) => void (pending = promise) });
    sw.dispatchEvent(event);
    await pending;
    calls.open = (await sw.registration.getNotifications()).length;
    return calls;
  });
}

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

test('a muted conversation sends no push', async ({ browser }) => {
  const subscription = service.subscribe();
  const context = await pushBrowser(browser, subscription);
  const page = await context.newPage();
  await page.goto('/');
  await send(page, 'count to 40');
  const muted = await tabConversationId(page);
  await notifyMe(page);
  await page.getByRole('button', { name: 'Mute', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Notifications muted' })).toBeVisible();
  // Nobody watches it finish.
  await page.goto('/api/health');
  await waitForRunEnd(context, muted);
  // The mute is kept on the server: back in the conversation, it shows muted.
  await page.goto('/');
  await expect(log(page).getByTestId('user-message')).toHaveText('count to 40');
  await expect(page.getByRole('status').filter({ hasText: 'Notifications muted' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Unmute' })).toBeVisible();

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
  await expect(page.getByRole('button', { name: 'Notify me when done' })).toBeVisible();
  await notifyMe(page);
  await page.getByRole('button', { name: 'Settings' }).click();
  const settings = page.getByRole('dialog', { name: 'Settings' });
  await expect(settings).toContainText('Subscribed for 1 conversation.');
  await settings.getByRole('button', { name: 'Turn off on this device' }).click();
  await expect(settings).toContainText('Not subscribed');
  await page.keyboard.press('Escape');
  await expect(settings).toBeHidden();
  // Nothing claims to be on: the conversation offers it again.
  await expect(page.getByRole('button', { name: 'Notify me when done' })).toBeVisible();
  await expect(page.getByText('Notifications on', { exact: true })).toHaveCount(0);
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

  // The worker takes control and has the offline page precached: offline, a page load shows it.
  await expect.poll(() => page.evaluate(async () => (await navigator.serviceWorker.ready).active?.state)).toBe('activated');
  await expect
    .poll(() => page.evaluate(async () => (await caches.keys()).some((name) => name.includes('precache'))))
    .toBe(true);
  await expect.poll(() => page.evaluate(() => caches.match('/~offline', { ignoreSearch: true }).then((response) => response?.status ?? null))).toBe(200);
  await page.context().setOffline(true);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'You are offline' })).toBeVisible();
  await page.context().setOffline(false);
});
