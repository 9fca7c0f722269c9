/** The words of an approval, as plain constants: the run events (zod) and the browser (no zod) both build on them. */

export const approvalDecisions = ['allow', 'deny'] as const;
export type ApprovalDecision = (typeof approvalDecisions)[number];

/** `run`: allowed for the rest of this run, for the same tool. */
export const approvalScopes = ['once', 'run'] as const;
export type ApprovalScope = (typeof approvalScopes)[number];

/** Who settled an approval: a visitor's device, the expiry, or a Stop. */
export const approvalDeciders = ['visitor', 'expiry', 'stop', 'restart'] as const;
export type ApprovalDecider = (typeof approvalDeciders)[number];

/** The note an approval gets when its run's server restarted before the visitor answered (the continued run asks again). */
export const RESTARTED_NOTE = 'The server restarted before the user answered.';
