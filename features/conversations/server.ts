export { conversationIdsSchema, renameSchema } from './schemas';
export { conversationStatuses, conversationsForSessions, deleteConversations, existingConversations, getConversation, listConversations, openConversation, renameConversation, setSdkSession } from './server/queries';
export type { ConversationStatus } from './types';
