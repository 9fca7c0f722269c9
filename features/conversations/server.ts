export { conversationIdsSchema, handoffTokenSchema, renameSchema } from './schemas';
export { conversationStatuses, conversationsForSessions, deleteConversations, existingConversations, getConversation, listConversations, openConversation, renameConversation, setSdkSession } from './server/queries';
export type { ConversationStatus } from './types';
export { isShared, openShare, shareConversation, stopSharing } from './server/shares';
export { actingVisitor, actingVisitorForRun, createHandoff, listDevices, redeemHandoff, revokeDevice } from './server/devices';
