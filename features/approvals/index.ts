export { decideApprovalSchema, type DecideApprovalInput } from './schemas';
export { MAX_APPROVAL_NOTE_CHARS } from './limits';
export type { ApprovalDecision, ApprovalScope } from './vocabulary';
