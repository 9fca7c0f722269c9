/// <reference lib="webworker" />
import { registerPushHandlers } from '@/features/push/worker';
import { NetworkOnly, Serwist, type PrecacheEntry, type SerwistGlobalConfig } from 'serwist';

/**
 * The app's service worker, bundled by `serwist build` into public/sw.js. It precaches the
 * static assets and the offline page, shows the offline page when a page can't be loaded, and
 * handles push notifications. API requests (the run event streams among them) pass straight
 * through: nothing here caches server data.
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
    // Pages are always fresh from the server (a conversation is live data); offline, the fallback below.
    { matcher: ({ request }) => request.mode === 'navigate', handler: new NetworkOnly() },
  ],
  fallbacks: {
    entries: [{ url: OFFLINE_PAGE, matcher: ({ request }) => request.destination === 'document' }],
  },
});

registerPushHandlers(self);
serwist.addEventListeners();
