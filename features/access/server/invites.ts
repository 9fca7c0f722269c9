import 'server-only';
import { takeInviteOpened, takeLinkMade } from '@/features/limits/server';
import type { Workspace } from '@/features/workspaces/server';
import { db } from '@/lib/db/connection';
import { AppError } from '@/lib/errors';
import { hashToken, newSecretToken } from '@/lib/secret-token';
import { inviteOptionsSchema, type InviteOptions } from '../schemas';
import type { Invite } from '../types';
import { isPrivate, memberId } from './members';

/**
 * A new invite link to the workspace at `origin`: the token travels in the fragment (`/join#…`),
 * which no server log, proxy or Referer sees; only its hash is stored. Single use for a week
 * unless `options` say otherwise. `createdBy`: the member who made it in the app.
 */
export async function createInvite({ workspace, origin, options = {}, createdBy = null }: { workspace: string; origin: string; options?: InviteOptions; createdBy?: string | null }): Promise<Invite> {
  const { label, uses, expiresInSeconds } = inviteOptionsSchema.parse(options);
  const token = newSecretToken();
  const { expiresAt } = await (
    await db()
  ).call<{ expiresAt: string }>('create_invite', {
    p_workspace: workspace,
    p_token_hash: hashToken(token),
    p_label: label,
    p_uses: uses,
    p_ttl_seconds: expiresInSeconds,
    p_created_by: createdBy,
  });
  return { url: `${origin}/join#${token}`, expiresAt };
}

/** An invite a member makes in the app, when workspace.json lets members invite (`membersMayInvite`). */
export async function createMemberInvite({ workspace, visitorId, origin, options }: { workspace: Workspace; visitorId: string; origin: string; options: InviteOptions }): Promise<Invite> {
  if (!isPrivate(workspace) || !workspace.config.membersMayInvite) {
    throw new AppError('forbidden:invites', 'Only the person who runs this workspace can make invite links here.');
  }
  await takeLinkMade(visitorId);
  const createdBy = await memberId({ workspace: workspace.name, visitorId });
  return createInvite({ workspace: workspace.name, origin, options, createdBy });
}

const refusals = {
  used: 'This invite link was already used. Ask the person who runs this workspace for a new link.',
  expired: 'This invite link has expired. Ask the person who runs this workspace for a new link.',
  unknown: 'This invite link is not valid here: it may have been mistyped or withdrawn. Ask the person who runs this workspace for a new link.',
} as const;

/** Opens an invite link: the caller's browser (its visitor id) becomes a member of the workspace. */
export async function joinWorkspace({ workspace, visitorId, token, userAgent }: { workspace: string; visitorId: string; token: string; userAgent: string }): Promise<{ memberId: string }> {
  await takeInviteOpened(visitorId);
  const result = await (
    await db()
  ).call<{ status: 'ok'; memberId: string } | { status: keyof typeof refusals }>('redeem_invite', {
    p_token_hash: hashToken(token),
    p_workspace: workspace,
    p_visitor_id: visitorId,
    p_user_agent: userAgent.slice(0, 500),
  });
  if (result.status === 'ok') return { memberId: result.memberId };
  throw new AppError(result.status === 'unknown' ? 'not_found:invite' : `conflict:invite_${result.status}`, refusals[result.status]);
}
