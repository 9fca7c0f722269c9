export { conversationIdsSchema } from './schemas';
export { conversationStatuses, conversationsForSessions, getConversation, openConversation, setSdkSession } from './server/queries';
export type { ConversationStatus } from './types';
