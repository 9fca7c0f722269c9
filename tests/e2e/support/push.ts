/**
 * Push in Chromium against the real server and the real service worker. Chromium can't get a real
 * push subscription offline, so the page's `pushManager.subscribe` returns a subscription on a
 * test push service (HTTPS on 127.0.0.1, with real P-256 keys); the server's real web-push request
 * arrives there and is decrypted, and that payload is handed to the service worker through CDP
 * `ServiceWorker.deliverPushMessage`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Browser, type BrowserContext, type CDPSession, type Locator, type Page, type Worker } from '@playwright/test';
import { E2E_PUSH_TLS_DIR } from '../../../playwright.config';
import { startPushService, type PushService, type TestSubscription } from '../../fixtures/push-service';
import { chooseFromConversationMenu } from './chat';

/** The test push service of the spec file that called `setUpPushService()` (set in its beforeAll). */
export let service: PushService;

/** Starts the test push service before the file's tests, and stops it after them. */
export function setUpPushService() {
  test.beforeAll(async () => {
    // The certificate the app was started trusting (NODE_EXTRA_CA_CERTS, see playwright.config.ts).
    const dir = path.resolve(import.meta.dirname, '../../..', E2E_PUSH_TLS_DIR);
    service = await startPushService({ tls: { key: readFileSync(`${dir}/key.pem`, 'utf8'), cert: readFileSync(`${dir}/cert.pem`, 'utf8') } });
  });

  test.afterAll(async () => {
    await service?.close();
  });
}

export function origin(): string {
  return new URL(test.info().project.use.baseURL!).origin;
}

/** A browser that may show notifications and whose Push API hands out `subscription`. */
export async function pushBrowser(browser: Browser, subscription: TestSubscription): Promise<BrowserContext> {
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

/** Opens the conversation's Notifications dialog, from its "⋯" menu, and returns it. */
export async function openNotifications(page: Page): Promise<Locator> {
  await chooseFromConversationMenu(page, 'Notifications');
  const dialog = page.getByRole('dialog', { name: 'Notifications' });
  await expect(dialog).toBeVisible();
  return dialog;
}

/** Asks for a notification for the tab's conversation, as a visitor does after sending, and closes the dialog. */
export async function notifyMe(page: Page) {
  const dialog = await openNotifications(page);
  await dialog.getByRole('button', { name: 'Notify me when done' }).click();
  await expect(dialog.getByRole('status').filter({ hasText: 'Notifications on' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
}

/**
 * Until the conversation's run has finished on the server, asked from a page of the app's origin
 * that does not show the chat (so it watches nothing). Node can't resolve `demo.localhost`.
 */
export async function waitForRunEnd(context: BrowserContext, conversationId: string) {
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

export const expectedPush = (conversationId: string) => ({
  title: 'Task is ready',
  body: 'claude-sonnet-4-5 in build mode is done working',
  data: { conversationId, url: `/?c=${conversationId}` },
});

/** The app's service worker, once it runs (registered by the page on load). */
export async function appWorker(context: BrowserContext): Promise<Worker> {
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
export async function deliverPush(context: BrowserContext, payload: unknown): Promise<Shown> {
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
export async function tapNotification(context: BrowserContext): Promise<ClickCalls> {
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
