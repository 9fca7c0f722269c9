export { conversationView, type ConversationView } from './server/conversation-view';
export { takeOverStaleRuns } from './server/takeover';
export { interruptOwnRuns } from './server/queries';
export { decideAnywhere, findRun, interruptAllRuns, isLocalRunOf, obeyOtherInstances, requireRun, startRun, stopAnywhere, stopRun } from './server/run-manager';
export { forgetDeletedConversations, sweepAgentHomes } from './server/forget';
export { onApprovalNeeded, onRunFinished, type ApprovalNeeded, type RunFinished } from './server/run-notices';
