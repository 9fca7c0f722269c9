import type { AgentMode, RunStatus } from './vocabulary';
export { agentModes, type AgentMode, type ApprovalDecision, type ApprovalScope, type RunStatus, type ToolStatus } from './vocabulary';
// Declared once, as zod schemas, in events.ts; only their types come through here (no zod).
export type { RunEvent, RunEventBody } from './events';
export type { FileChange } from '@/features/changes';

export type RunInfo = {
  id: string;
  conversationId: string;
  model: string;
  mode: AgentMode;
  status: RunStatus;
};
