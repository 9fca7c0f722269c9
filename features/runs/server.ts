export { conversationView, type ConversationView } from './server/conversation-view';
export { conversationExport } from './server/conversation-export';
export { takeOnOwnRuns, takeOverStaleRuns } from './server/takeover';
export { sweepRunJournals } from './server/run-journal';
export { publishesSettled } from './server/live-events';
export { decideAnywhere, findRun, handOverAllRuns, isLocalRunOf, obeyOtherInstances, requireRun, runsEnded, startRun, stopAnywhere, stopRun } from './server/run-manager';
export { forgetDeletedConversations, sweepAgentHomes } from './server/forget';
export { onApprovalNeeded, onRunFinished, type ApprovalNeeded, type RunFinished } from './server/run-notices';
