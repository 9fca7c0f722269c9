export { afterSeqSchema, branchSchema, exportFormatSchema, sendMessageSchema, visibleSchema, type SendMessageInput } from './schemas';
export { MAX_MESSAGE_CHARS } from './limits';
export { agentModes, type AgentMode, type RunInfo, type RunStatus } from './types';
export { modelDisplayName } from './model-names';
export { BUILT_IN_COMMANDS, commandIn, type AgentCommand } from '@/features/agents/vocabulary';
