export { decideApprovalSchema, type DecideApprovalInput } from './schemas';
export { MAX_APPROVAL_NOTE_CHARS } from './limits';
export type { ApprovalDecision, ApprovalScope } from './vocabulary';
export type { ApprovalItem } from './types';
export { ApprovalCard, type Decide } from './components/approval-card';
export { decideApproval } from './api/approvals-api';
