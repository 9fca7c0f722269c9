export { foldRunEvent, type ChatItem } from './chat-items';
export { afterSeqSchema, HEARTBEAT_MS, MAX_MESSAGE_CHARS, sendMessageSchema, uuidSchema, visibleSchema, type SendMessageInput } from './schemas';
export { agentModes, type AgentMode, type RunEvent, type RunInfo, type RunStatus } from './types';
