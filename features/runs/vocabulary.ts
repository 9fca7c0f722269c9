/**
 * The closed sets of words a run speaks, as plain constants: the event schemas (events.ts, zod)
 * and the browser's code (no zod) both build on them, so each set is written once.
 */

/** plan: read-only. ask: reads freely, each edit, command or fetch waits for the visitor's decision. build: edits freely. */
export const agentModes = ['plan', 'ask', 'build'] as const;
export type AgentMode = (typeof agentModes)[number];

export const runStatuses = ['running', 'completed', 'failed', 'stopped', 'interrupted'] as const;
export type RunStatus = (typeof runStatuses)[number];

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
