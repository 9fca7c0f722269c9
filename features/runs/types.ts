import type { AgentMode, RunStatus } from '@/features/conversations/vocabulary';
export { agentModes, type AgentMode, type RunStatus } from '@/features/conversations/vocabulary';
export type { ApprovalDecision, ApprovalScope, FileChange, RunEvent, RunEventBody, ToolStatus } from '@/features/timeline';

export type RunInfo = {
  id: string;
  conversationId: string;
  model: string;
  mode: AgentMode;
  status: RunStatus;
};
