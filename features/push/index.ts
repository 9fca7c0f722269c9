export { ConversationNotifications } from './components/conversation-notifications';
export { SettingsDialog } from './components/settings-dialog';
export { detectPushSupport, usePush, type Push, type PushSupport } from './hooks/use-push';
export { useServiceWorker } from './hooks/use-service-worker';
