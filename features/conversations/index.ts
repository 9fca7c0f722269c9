export type { Conversation, ConversationStatus, ConversationSummary } from './types';
export { useTabConversation } from './hooks/use-tab-conversation';
export { useConversationsStore, type NotificationSettings, type RecentConversation } from './stores/conversations-store';
export { forgetOfflineCopies } from './offline-copies';
export { useOfflineCopies } from './hooks/use-offline-copies';
