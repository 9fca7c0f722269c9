import type { ApprovalDecider, ApprovalDecision, ApprovalScope } from './vocabulary';

/** An approval as the conversation shows it: a tool call the run waits on, and how it was settled. */
/** How an approval was settled, and by whom (`device`: the deciding browser's own id, null unless a visitor decided). */
export type ApprovalOutcome = { decision: ApprovalDecision; scope: ApprovalScope; note: string | null; by: ApprovalDecider; device: string | null };

export type ApprovalItem = {
  kind: 'approval';
  /** The approval's id. */
  id: string;
  tool: string;
  summary: string;
  detail: string | null;
  expiresAt: string;
  /** Null while it waits for a decision. */
  outcome: ApprovalOutcome | null;
};
