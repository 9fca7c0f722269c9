export type { Conversation, ConversationStatus, ConversationSummary, Device } from './types';
export { useTabConversation } from './hooks/use-tab-conversation';
export { useConversationsStore, type NotificationSettings, type RecentConversation } from './stores/conversations-store';
export { SHARE_TOKEN_HEADER } from './share-token';
export { forgetOfflineCopies } from './offline-copies';
