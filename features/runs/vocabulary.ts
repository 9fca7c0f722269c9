/**
 * The closed sets of words a run speaks, as plain constants: the event schemas (events.ts, zod)
 * and the browser's code (no zod) both build on them, so each set is written once.
 */

// A run's mode and status are also a conversation's words (its next mode, its latest status): declared there.
export { agentModes, runStatuses, type AgentMode, type RunStatus } from '@/features/conversations/vocabulary';

export const toolStatuses = ['running', 'ok', 'error', 'denied'] as const;
export type ToolStatus = (typeof toolStatuses)[number];

export const approvalDecisions = ['allow', 'deny'] as const;
export type ApprovalDecision = (typeof approvalDecisions)[number];

/** `run`: allowed for the rest of this run, for the same tool. */
export const approvalScopes = ['once', 'run'] as const;
export type ApprovalScope = (typeof approvalScopes)[number];

/** Who settled an approval: a visitor's device, the expiry, or a Stop. */
export const approvalDeciders = ['visitor', 'expiry', 'stop'] as const;
export type ApprovalDecider = (typeof approvalDeciders)[number];
