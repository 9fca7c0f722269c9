export { foldRunEvent, type ChatItem } from './chat-items';
export { afterSeqSchema, decideApprovalSchema, HEARTBEAT_MS, MAX_APPROVAL_NOTE_CHARS, MAX_MESSAGE_CHARS, sendMessageSchema, uuidSchema, visibleSchema, type DecideApprovalInput, type SendMessageInput } from './schemas';
export { agentModes, type AgentMode, type ApprovalDecision, type ApprovalScope, type FileChange, type RunEvent, type RunInfo, type RunStatus } from './types';
export { modelDisplayName } from './model-names';
