export { conversationIdsSchema, renameSchema } from './schemas';
export { deleteConversationsForGood, onConversationDeleted } from './server/deleted';
export {
  conversationStatuses,
  conversationsForSessions,
  existingConversations,
  getConversation,
  listConversations,
  openConversation,
  operatorConversations,
  purgeConversationsOlderThan,
  renameConversation,
  setSdkSession,
  type OperatorConversation,
  type PurgedConversation,
} from './server/queries';
export type { ConversationStatus } from './types';
export { openCountedConversation } from './server/counted-open';
export { conversationFiles } from './server/conversation-files';
