/**
 * The words a conversation shares with the runs above it, as plain constants (no imports, so the
 * browser, the server and the service worker can all take them): a conversation keeps the mode
 * its next run starts in, and the Recent list shows its latest run's status. They live here, not
 * in runs, because runs build on conversations and the feature order forbids the way back up.
 */

/** plan: read-only. ask: reads freely, each edit, command or fetch waits for the visitor's decision. build: edits freely. */
export const agentModes = ['plan', 'ask', 'build'] as const;
export type AgentMode = (typeof agentModes)[number];

export const runStatuses = ['running', 'completed', 'failed', 'stopped', 'interrupted'] as const;
export type RunStatus = (typeof runStatuses)[number];
