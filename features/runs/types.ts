/** plan: read-only. ask: reads freely, each edit, command or fetch waits for the visitor's decision. build: edits freely. */
export const agentModes = ['plan', 'ask', 'build'] as const;
export type AgentMode = (typeof agentModes)[number];

export type ApprovalDecision = 'allow' | 'deny';
export type ApprovalScope = 'once' | 'run';

/** One file a run changed: its diff (null when binary or too large to show) and whether Undo can restore it. */
export type FileChange = { path: string; patch: string | null; added: number | null; removed: number | null; restorable: boolean };

export type RunStatus = 'running' | 'completed' | 'failed' | 'stopped' | 'interrupted';
export type ToolStatus = 'running' | 'ok' | 'error' | 'denied';

/** What a run reports, normalized from the SDK's messages. Every event carries its run's sequence number. */
export type RunEventBody =
  | { type: 'start'; runId: string; conversationId: string; model: string; mode: AgentMode; prompt: string }
  /** Waiting for a free agent slot at this position; 0 = it got one and starts now. */
  | { type: 'queue'; position: number }
  | { type: 'text'; text: string }
  | { type: 'tool'; toolId: string; name: string; target: string | null }
  /** `summary`: the output's first lines; `lines`: how many it has in all. */
  | { type: 'tool_result'; toolId: string; status: Exclude<ToolStatus, 'running'>; summary: string; lines: number }
  | { type: 'notice'; message: string }
  /** The model API failed and the CLI retries it: progress for the waiting visitor, replaced by what comes next. */
  | { type: 'retry'; message: string }
  | { type: 'error'; code: string; message: string }
  /** In ask mode the agent wants to act (`toolId` is its tool card) and waits for the visitor, until `expiresAt`. */
  | { type: 'approval'; approvalId: string; toolId: string; tool: string; summary: string; detail: string | null; expiresAt: string }
  | {
      type: 'approval_decided';
      approvalId: string;
      decision: ApprovalDecision;
      /** `run`: allowed for the rest of this run, for the same tool. */
      scope: ApprovalScope;
      note: string | null;
      /** Who settled it: a visitor's device (`device`: the browser's own id), the expiry, or a Stop. */
      by: 'visitor' | 'expiry' | 'stop';
      device: string | null;
    }
  /** At the end of a run that changed files: what it changed, for the Changes section and its Undo. */
  | { type: 'changes'; runId: string; files: FileChange[] }
  | {
      type: 'end';
      status: Exclude<RunStatus, 'running'>;
      model: string;
      mode: AgentMode;
      costUsd: number | null;
      inputTokens: number | null;
      outputTokens: number | null;
      durationMs: number;
    };

export type RunEvent = RunEventBody & { seq: number };

export type RunInfo = {
  id: string;
  conversationId: string;
  model: string;
  mode: AgentMode;
  status: RunStatus;
};
