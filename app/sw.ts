/// <reference lib="webworker" />
import {
  CONVERSATION_ATTACHMENT_PATH,
  CONVERSATION_HISTORY_PATH,
  OFFLINE_ATTACHMENTS_CACHE,
  OFFLINE_ATTACHMENTS_KEPT,
  OFFLINE_CONVERSATIONS_CACHE,
  OFFLINE_CONVERSATIONS_KEPT,
  OFFLINE_PAGES_CACHE,
} from '@/features/conversations/worker';
import { registerPushHandlers } from '@/features/push/worker';
import { CacheFirst, ExpirationPlugin, NetworkFirst, Serwist, type PrecacheEntry, type SerwistGlobalConfig } from 'serwist';

/**
 * The app's service worker, bundled by `serwist build` into public/sw.js. It precaches the
 * static assets and the offline page, and handles push notifications. Pages and conversations'
 * histories come from the network whenever it answers; their latest answers are kept, so the
 * installed app starts offline and shows a saved copy (the offline page when it has none), its
 * attachments' thumbnails too (kept as first read: they never change).
 * Every other API request (the run event streams among them) passes straight through.
 */
declare global {
  interface WorkerGlobalScope extends SerwistGlobalConfig {
    __SW_MANIFEST: (PrecacheEntry | string)[] | undefined;
  }
}

declare const self: ServiceWorkerGlobalScope;

const OFFLINE_PAGE = '/~offline';

const serwist = new Serwist({
  precacheEntries: self.__SW_MANIFEST,
  skipWaiting: true,
  clientsClaim: true,
  runtimeCaching: [
    { matcher: ({ request }) => request.mode === 'navigate', handler: new NetworkFirst({ cacheName: OFFLINE_PAGES_CACHE, networkTimeoutSeconds: 5 }) },
    {
      matcher: ({ request, sameOrigin, url }) => sameOrigin && request.method === 'GET' && CONVERSATION_HISTORY_PATH.test(url.pathname),
      handler: new NetworkFirst({ cacheName: OFFLINE_CONVERSATIONS_CACHE, plugins: [new ExpirationPlugin({ maxEntries: OFFLINE_CONVERSATIONS_KEPT })] }),
    },
    {
      matcher: ({ request, sameOrigin, url }) => sameOrigin && request.method === 'GET' && CONVERSATION_ATTACHMENT_PATH.test(url.pathname),
      handler: new CacheFirst({ cacheName: OFFLINE_ATTACHMENTS_CACHE, plugins: [new ExpirationPlugin({ maxEntries: OFFLINE_ATTACHMENTS_KEPT })] }),
    },
  ],
  fallbacks: {
    entries: [{ url: OFFLINE_PAGE, matcher: ({ request }) => request.destination === 'document' }],
  },
});

registerPushHandlers(self);
serwist.addEventListeners();
