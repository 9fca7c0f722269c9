export { type ApprovalDecision, type ApprovalScope, type ToolStatus } from './vocabulary';
// Declared once, as zod schemas, in events.ts; only their types come through here (no zod).
export type { RunEvent, RunEventBody } from './events';
export type { FileChange } from '@/features/changes';
