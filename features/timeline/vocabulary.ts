/**
 * The closed sets of words a run's events speak, as plain constants: the event schemas (events.ts, zod)
 * and the browser's code (no zod) both build on them, so each set is written once.
 */

// A run's mode and status are also a conversation's words (its next mode, its latest status): declared there.
export { agentModes, runStatuses, type AgentMode, type RunStatus } from '@/features/conversations/vocabulary';

export const toolStatuses = ['running', 'ok', 'error', 'denied'] as const;
export type ToolStatus = (typeof toolStatuses)[number];

export const planStepStatuses = ['pending', 'in_progress', 'completed'] as const;
/** One step of the agent's plan (a task of the CLI's task list, or an item of a TodoWrite checklist); `activeForm` names it while in progress ("Running the tests"). */
export type PlanStep = { content: string; status: (typeof planStepStatuses)[number]; activeForm: string | null };

export { approvalDeciders, approvalDecisions, approvalScopes, type ApprovalDecider, type ApprovalDecision, type ApprovalScope } from '@/features/approvals/vocabulary';

/**
 * A run continued after its server went: what the agent is told (its transcript keeps it as a
 * user message, which history shows as the notice instead), and what viewers see.
 */
export const CONTINUATION_PROMPT = 'The server restarted while you were working; continue the task from where you stopped. Check the state of any command that was running.';
export const CONTINUED_NOTICE = 'Continued after a server restart.';

/** A compaction (the CLI's `compact_boundary`), as the conversation shows it. */
export const COMPACTED_NOTICE = 'Earlier messages were summarised to free up context.';

/** The context window of a model the transcript names (the live run has the CLI's own figure). */
export function contextWindowOf(model: string): number {
  return /\[1m\]$/i.test(model) ? 1_000_000 : 200_000;
}

/** How full the context is: everything the model's latest request carried (its answer's tokens join the next one's). */
export function contextTokensOf(usage: { input_tokens?: number; cache_read_input_tokens?: number | null; cache_creation_input_tokens?: number | null } | undefined): number | null {
  if (!usage || usage.input_tokens === undefined) return null;
  return usage.input_tokens + (usage.cache_read_input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0);
}
