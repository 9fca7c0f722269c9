export { conversationIdsSchema } from './schemas';
export { conversationStatuses, getConversation, openConversation, setSdkSession } from './server/queries';
export type { ConversationStatus } from './types';
