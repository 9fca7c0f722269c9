export const agentModes = ['plan', 'build'] as const;
export type AgentMode = (typeof agentModes)[number];

export type RunStatus = 'running' | 'completed' | 'failed' | 'stopped' | 'interrupted';
export type ToolStatus = 'running' | 'ok' | 'error' | 'denied';

/** What a run reports, normalized from the SDK's messages. Every event carries its run's sequence number. */
export type RunEventBody =
  | { type: 'start'; runId: string; conversationId: string; model: string; mode: AgentMode; prompt: string }
  /** Waiting for a free agent slot at this position; 0 = it got one and starts now. */
  | { type: 'queue'; position: number }
  | { type: 'text'; text: string }
  | { type: 'tool'; toolId: string; name: string; target: string | null }
  | { type: 'tool_result'; toolId: string; status: Exclude<ToolStatus, 'running'>; summary: string }
  | { type: 'notice'; message: string }
  /** The model API failed and the CLI retries it: progress for the waiting visitor, replaced by what comes next. */
  | { type: 'retry'; message: string }
  | { type: 'error'; code: string; message: string }
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
