export { MuteToggle } from './components/mute-toggle';
export { NotificationSettings } from './components/notification-settings';
export { NotifyOffer } from './components/notify-offer';
export { detectPushSupport, usePush, type PushSupport } from './hooks/use-push';
export { useServiceWorker } from './hooks/use-service-worker';
