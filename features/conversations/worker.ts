// The conversations feature's entry for the service worker (app/sw.ts): no React, no window.
export {
  CONVERSATION_ATTACHMENT_PATH,
  CONVERSATION_HISTORY_PATH,
  OFFLINE_ATTACHMENTS_CACHE,
  OFFLINE_ATTACHMENTS_KEPT,
  OFFLINE_CONVERSATIONS_CACHE,
  OFFLINE_CONVERSATIONS_KEPT,
  OFFLINE_PAGES_CACHE,
} from './offline-copies';
