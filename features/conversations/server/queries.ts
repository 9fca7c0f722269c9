import 'server-only';
import { db } from '@/lib/db/connection';
import { serverEnv } from '@/lib/env';
import type { Conversation, ConversationStatus, ConversationSummary } from '../types';

const ttlSeconds = () => Math.round(serverEnv().TETHER_CONVERSATION_TTL_HOURS * 3600);

type Owner = { visitorId: string; workspace: string };

/**
 * Creates the conversation or slides its expiry; null when it belongs to someone else. `title`
 * names a new one, or one still untitled; null leaves it for the first message.
 */
export async function openConversation({ id, visitorId, workspace, title }: Owner & { id: string; title: string | null }) {
  return (await db()).call<Conversation | null>('open_conversation', {
    p_id: id,
    p_visitor_id: visitorId,
    p_workspace: workspace,
    p_title: title,
    p_ttl_seconds: ttlSeconds(),
  });
}

/** The visitor's own, unexpired conversation, or null (missing, expired and someone else's look the same). */
export async function getConversation({ id, visitorId, workspace }: Owner & { id: string }) {
  return (await db()).call<Conversation | null>('get_conversation', { p_id: id, p_visitor_id: visitorId, p_workspace: workspace });
}

/** Maps the conversation to the SDK session it continues (null clears it); slides the expiry. */
export async function setSdkSession(conversationId: string, sdkSessionId: string | null) {
  await (await db()).call('set_session', { p_id: conversationId, p_sdk_session_id: sdkSessionId, p_ttl_seconds: ttlSeconds() });
}

/**
 * The latest run's status of each of the visitor's unexpired conversations among `ids` (the
 * recent list's badges); ids that are not theirs, or gone, are simply left out.
 */
export async function conversationStatuses({ ids, visitorId, workspace }: Owner & { ids: string[] }): Promise<ConversationStatus[]> {
  if (ids.length === 0) return [];
  return (await db()).call<ConversationStatus[]>('conversation_statuses', { p_visitor_id: visitorId, p_workspace: workspace, p_ids: ids });
}

/** Which unexpired conversation continues each of these SDK sessions (sessions none continues are left out). */
export async function conversationsForSessions(sdkSessionIds: string[]): Promise<Record<string, string>> {
  if (sdkSessionIds.length === 0) return {};
  return (await db()).call<Record<string, string>>('conversations_for_sessions', { p_sdk_session_ids: sdkSessionIds });
}

/** Deletes the visitor's conversations in the workspace (`ids`, or all when null) with their runs and push subscriptions; returns the ids deleted. */
export async function deleteConversations({ visitorId, workspace, ids }: Owner & { ids: string[] | null }): Promise<string[]> {
  return (await db()).call<string[]>('delete_conversations', { p_visitor_id: visitorId, p_workspace: workspace, p_ids: ids });
}

/** Which of these conversations still exist (expired ones too, until purged). */
export async function existingConversations(ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  return (await db()).call<string[]>('existing_conversations', { p_ids: ids });
}

/** The visitor's conversation gets a new title; null when it is not theirs (or is gone). */
export async function renameConversation({ id, visitorId, workspace, title }: { id: string; visitorId: string; workspace: string; title: string }) {
  return (await db()).call<string | null>('rename_conversation', { p_id: id, p_visitor_id: visitorId, p_workspace: workspace, p_title: title });
}

/** "See all" lists at most this many. */
const MAX_LISTED_CONVERSATIONS = 200;

/** The visitor's live conversations in the workspace, latest first. */
export async function listConversations({ visitorId, workspace }: Owner) {
  return (await db()).call<ConversationSummary[]>('list_conversations', { p_visitor_id: visitorId, p_workspace: workspace, p_limit: MAX_LISTED_CONVERSATIONS });
}

/** A workspace's conversation as the operator's command line lists it (any visitor's). */
export type OperatorConversation = {
  id: string;
  title: string | null;
  visitorId: string;
  createdAt: string;
  lastActivityAt: string;
  expiresAt: string;
  runs: number;
  lastStatus: string | null;
  costUsd: number;
};

export async function operatorConversations({ workspace, limit }: { workspace: string; limit: number }) {
  return (await db()).call<OperatorConversation[]>('operator_conversations', { p_workspace: workspace, p_limit: limit });
}

export type PurgedConversation = { id: string; workspace: string; title: string | null; lastActivityAt: string };

/**
 * Deletes the conversations nobody used for `olderThanSeconds` (not those with a run going), the
 * way expiry does: the records go, and the sweeps remove their files. `dryRun` only lists them.
 */
export async function purgeConversationsOlderThan({ olderThanSeconds, dryRun }: { olderThanSeconds: number; dryRun: boolean }) {
  return (await db()).call<PurgedConversation[]>('operator_purge', { p_older_than_seconds: olderThanSeconds, p_dry_run: dryRun });
}
