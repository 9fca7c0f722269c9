/// <reference lib="webworker" />
// The push feature's entry for the service worker (app/sw.ts): no React, no window.
export { registerPushHandlers } from './worker/push-handlers';
