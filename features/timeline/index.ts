export { foldRunEvent, type ChatItem } from './chat-items';
export type { PlanStep } from './vocabulary';
export { followRun, type ConnectionState, type FollowOutcome } from './follower/follow-run';
export { HEARTBEAT_MS } from './limits';
export type { ApprovalDecision, ApprovalScope, FileChange, RunEvent, RunEventBody, ToolStatus } from './types';
