'use client';

import { type ConversationStatus, type ConversationSummary } from '@/features/conversations';
import { SHARE_TOKEN_HEADER } from '@/features/sharing';
import { isApiError, requestJson as request } from '@/lib/api-client';
import type { AgentCommand, RunInfo, SendMessageInput } from '@/features/runs';
import type { ChatItem } from '@/features/timeline';

export type ConversationView = {
  /** `muted`: no push notifications for this conversation (absent from servers that predate it). */
  conversation: { id: string; title: string | null; muted?: boolean; createdAt: string; lastActivityAt: string };
  items: ChatItem[];
  activeRun: RunInfo | null;
};

/** The conversation's history; null for a conversation the server has never seen (a new one). */
export async function fetchConversation(conversationId: string): Promise<ConversationView | null> {
  try {
    return await request<ConversationView>(`/api/conversations/${conversationId}`);
  } catch (error) {
    if (isApiError(error, 'not_found:conversation')) return null;
    throw error;
  }
}

export async function sendMessage(conversationId: string, input: SendMessageInput): Promise<RunInfo> {
  const { run } = await request<{ run: RunInfo }>(`/api/conversations/${conversationId}/messages`, {
    method: 'POST',
    body: JSON.stringify(input),
  });
  return run;
}

/** Gives the conversation a new title; answers the title the server kept. */
export async function renameConversation(conversationId: string, title: string): Promise<string> {
  return (await request<{ title: string }>(`/api/conversations/${conversationId}`, { method: 'PATCH', body: JSON.stringify({ title }) })).title;
}

/** "Branch from here": a new conversation with the history up to the answer to the visitor's `keepPrompts`-th message. */
export async function branchConversation(conversationId: string, keepPrompts: number): Promise<{ conversationId: string; title: string }> {
  return request<{ conversationId: string; title: string }>(`/api/conversations/${conversationId}/branch`, { method: 'POST', body: JSON.stringify({ keepPrompts }) });
}

/** Deletes the conversation for good (records, runs, push subscriptions, transcript). */
export async function deleteConversation(conversationId: string): Promise<void> {
  await request<{ deleted: string[] }>(`/api/conversations/${conversationId}`, { method: 'DELETE' });
}

/** Deletes every one of this visitor's conversations in the workspace; returns their ids. */
export async function clearConversations(): Promise<string[]> {
  return (await request<{ deleted: string[] }>('/api/conversations', { method: 'DELETE' })).deleted;
}

export async function stopRun(runId: string): Promise<RunInfo> {
  const { run } = await request<{ run: RunInfo }>(`/api/runs/${runId}/stop`, { method: 'POST' });
  return run;
}

export async function fetchConversationStatuses(ids: string[]): Promise<ConversationStatus[]> {
  const { statuses } = await request<{ statuses: ConversationStatus[] }>(`/api/conversations/status?ids=${ids.join(',')}`);
  return statuses;
}

/** "See all": every conversation the server still keeps for this visitor here, latest first. */
export async function fetchAllConversations(): Promise<ConversationSummary[]> {
  return (await request<{ conversations: ConversationSummary[] }>('/api/conversations')).conversations;
}

export type SharedView = { conversation: { title: string | null }; items: ChatItem[]; activeRun: RunInfo | null };

/** A shared conversation, read-only; null when the link is off (or never was). */
export async function fetchShared(shareToken: string): Promise<SharedView | null> {
  try {
    return await request<SharedView>('/api/shared', { headers: { [SHARE_TOKEN_HEADER]: shareToken } });
  } catch (error) {
    if (isApiError(error, 'not_found:share', 'not_found:conversation')) return null;
    throw error;
  }
}

/** The commands the message box offers in this workspace (the CLI's that make sense here, and the workspace's own). */
export async function fetchCommands(): Promise<AgentCommand[]> {
  return (await request<{ commands: AgentCommand[] }>('/api/commands')).commands;
}
