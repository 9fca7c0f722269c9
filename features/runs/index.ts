export { foldRunEvent, type ChatItem } from './chat-items';
export { followRun, type ConnectionState, type FollowOutcome } from './follower/follow-run';
export { afterSeqSchema, sendMessageSchema, visibleSchema, type SendMessageInput } from './schemas';
export { HEARTBEAT_MS, MAX_MESSAGE_CHARS } from './limits';
export { agentModes, type AgentMode, type ApprovalDecision, type ApprovalScope, type FileChange, type RunEvent, type RunInfo, type RunStatus } from './types';
export { modelDisplayName } from './model-names';
