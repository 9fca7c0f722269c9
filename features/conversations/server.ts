export { conversationIdsSchema } from './schemas';
export { conversationStatuses, conversationsForSessions, deleteConversations, existingConversations, getConversation, openConversation, setSdkSession } from './server/queries';
export type { ConversationStatus } from './types';
