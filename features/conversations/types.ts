import type { RunStatus } from './vocabulary';

export type Conversation = {
  id: string;
  visitorId: string;
  workspace: string;
  sdkSessionId: string | null;
  title: string | null;
  /** No push notifications for this conversation. */
  muted: boolean;
  createdAt: string;
  lastActivityAt: string;
  expiresAt: string;
};

/** A conversation's latest run, for the recent list's badges: 'running' = the agent is still working. */
export type ConversationStatus = {
  id: string;
  lastRunId: string | null;
  lastRunStatus: RunStatus | null;
  lastRunFinishedAt: string | null;
};

/** One line of "See all": a conversation the server still keeps for the visitor. */
export type ConversationSummary = { id: string; title: string | null; lastActivityAt: string };
