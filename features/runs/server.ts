export { conversationView, type ConversationView } from './server/conversation-view';
export { closeAllStreams, runEventStream } from './server/event-stream';
export { markRunsInterrupted } from './server/queries';
export { interruptAllRuns, requireRun, startRun, stopRun } from './server/run-manager';
export { modelEndpoint, usesDemoModel } from './server/agent/model-endpoint';
export { sandboxState } from './server/agent/agent-sandbox';
export { moveLegacyTranscripts } from './server/agent/legacy-transcripts';
export { deleteConversationsForGood, sweepAgentHomes } from './server/forget';
export { offeredModels, offeredModes } from './server/fair-use';
