import 'server-only';
import { takeHandoffOpened, takeLinkMade } from '@/features/limits/server';
import { AppError } from '@/lib/errors';
import { db } from '@/lib/db/connection';
import { hashToken, newSecretToken } from '@/lib/secret-token';
import type { Device } from '../types';

/** A handoff link works once, for this long. */
export const HANDOFF_TTL_SECONDS = 10 * 60;

type Caller = { visitorId: string; workspace: string };

/**
 * Whose rights the caller has on a conversation: its owner's visitor id when the caller owns it
 * or is one of its devices (a browser that opened a handoff link), else the caller's own — for
 * which the conversation then doesn't exist. Everything about that one conversation runs as the
 * returned visitor; nothing else of the owner's is reachable this way.
 */
export async function actingVisitor({ visitorId, workspace, conversationId }: Caller & { conversationId: string }): Promise<string> {
  return (await (await db()).call<string | null>('conversation_actor', { p_conversation_id: conversationId, p_visitor_id: visitorId, p_workspace: workspace })) ?? visitorId;
}

/** The same for a run, through its conversation. */
export async function actingVisitorForRun({ visitorId, workspace, runId }: Caller & { runId: string }): Promise<string> {
  return (await (await db()).call<string | null>('run_actor', { p_run_id: runId, p_visitor_id: visitorId, p_workspace: workspace })) ?? visitorId;
}

export async function requireDevice({ visitorId, workspace, conversationId }: Caller & { conversationId: string }): Promise<void> {
  const owner = await (await db()).call<string | null>('conversation_actor', { p_conversation_id: conversationId, p_visitor_id: visitorId, p_workspace: workspace });
  if (owner === null) throw new AppError('not_found:conversation', 'No such conversation.');
}

/** A single-use link (10 minutes) that gives the browser opening it this conversation; the token travels in the URL fragment. */
export async function createHandoff({ visitorId, workspace, conversationId, userAgent, origin }: Caller & { conversationId: string; userAgent: string; origin: string }) {
  await takeLinkMade(visitorId);
  await requireDevice({ visitorId, workspace, conversationId });
  const token = newSecretToken();
  const { expiresAt } = await (
    await db()
  ).call<{ expiresAt: string }>('create_handoff', {
    p_conversation_id: conversationId,
    p_visitor_id: visitorId,
    p_user_agent: userAgent.slice(0, 500),
    p_token_hash: hashToken(token),
    p_ttl_seconds: HANDOFF_TTL_SECONDS,
  });
  return { url: `${origin}/#handoff=${token}`, expiresAt };
}

const refusals = {
  used: 'This handoff link was already used. Make a new one on the device that has the conversation.',
  expired: 'This handoff link has expired (they last 10 minutes). Make a new one on the device that has the conversation.',
  unknown: 'This handoff link is not valid here: it may have been mistyped, or its conversation is gone.',
} as const;

/** Opens a handoff link: the caller becomes a device of its conversation, whose id is returned. */
export async function redeemHandoff({ visitorId, workspace, token, userAgent }: Caller & { token: string; userAgent: string }): Promise<string> {
  await takeHandoffOpened(visitorId);
  const result = await (
    await db()
  ).call<{ status: 'ok'; conversationId: string } | { status: keyof typeof refusals }>('redeem_handoff', {
    p_token_hash: hashToken(token),
    p_visitor_id: visitorId,
    p_workspace: workspace,
    p_user_agent: userAgent.slice(0, 500),
  });
  if (result.status !== 'ok') throw new AppError(result.status === 'unknown' ? 'not_found:handoff' : `conflict:handoff_${result.status}`, refusals[result.status]);
  return result.conversationId;
}

/** The devices with access to the conversation (to one of them). */
export async function listDevices({ visitorId, workspace, conversationId }: Caller & { conversationId: string }): Promise<Device[]> {
  await requireDevice({ visitorId, workspace, conversationId });
  return (await db()).call<Device[]>('list_devices', { p_conversation_id: conversationId, p_visitor_id: visitorId });
}

/** Takes a device's access away (not the caller's own); it notices on its next request. */
export async function revokeDevice({ visitorId, workspace, conversationId, deviceId }: Caller & { conversationId: string; deviceId: string }): Promise<void> {
  await requireDevice({ visitorId, workspace, conversationId });
  const revoked = await (await db()).call<boolean>('revoke_device', { p_conversation_id: conversationId, p_device_id: deviceId, p_visitor_id: visitorId });
  if (!revoked) throw new AppError('not_found:device', 'No such other device.');
}
