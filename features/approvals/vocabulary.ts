/** The words of an approval, as plain constants: the run events (zod) and the browser (no zod) both build on them. */

export const approvalDecisions = ['allow', 'deny'] as const;
export type ApprovalDecision = (typeof approvalDecisions)[number];

/** `run`: allowed for the rest of this run, for the same tool. */
export const approvalScopes = ['once', 'run'] as const;
export type ApprovalScope = (typeof approvalScopes)[number];

/** Who settled an approval: a visitor's device, the expiry, or a Stop. */
export const approvalDeciders = ['visitor', 'expiry', 'stop'] as const;
export type ApprovalDecider = (typeof approvalDeciders)[number];
