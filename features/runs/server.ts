export { conversationView, type ConversationView } from './server/conversation-view';
export { closeAllStreams, streamRunEvents } from './server/event-stream';
export { startHeartbeat, stopHeartbeat } from './server/instance';
export { instanceId } from './server/instance-id';
export { interruptOwnRuns } from './server/queries';
export { undoRunChanges } from './server/file-changes';
export { decideAnywhere, findRun, interruptAllRuns, isLocalRunOf, obeyOtherInstances, requireRun, startRun, stopAnywhere, stopRun } from './server/run-manager';
export { deleteConversationsForGood, sweepAgentHomes } from './server/forget';
export { onApprovalNeeded, onRunFinished, type ApprovalNeeded, type RunFinished } from './server/run-notices';
