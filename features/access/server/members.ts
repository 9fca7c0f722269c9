import 'server-only';
import { findWorkspace, requireWorkspace, type Workspace } from '@/features/workspaces/server';
import { db } from '@/lib/db/connection';
import { AppError } from '@/lib/errors';
import type { Member } from '../types';

type Caller = { workspace: Workspace; visitorId: string | null };

/** `"access": "invite"` in workspace.json: the workspace answers its members only. */
export const isPrivate = (workspace: Pick<Workspace, 'config'>): boolean => workspace.config.access === 'invite';

/** Throws the very answer a workspace that doesn't exist gets, so a private one reveals nothing. */
export function unknownWorkspace(): never {
  requireWorkspace(null);
  throw new Error('requireWorkspace(null) always throws');
}

/** The visitor's member id in the workspace (noted as seen), or null. */
export async function memberId({ workspace, visitorId }: { workspace: string; visitorId: string }): Promise<string | null> {
  return (await db()).call<string | null>('workspace_member', { p_workspace: workspace, p_visitor_id: visitorId });
}

/** True when the workspace answers this visitor: a public one everyone, a private one its members. */
export async function mayEnter({ workspace, visitorId }: Caller): Promise<boolean> {
  if (!isPrivate(workspace)) return true;
  return visitorId !== null && (await memberId({ workspace: workspace.name, visitorId })) !== null;
}

/** For a page: true unless `workspace` names a private workspace the visitor is no member of (an unknown one renders its own 404). */
export async function pageMayEnter({ workspace, visitorId }: { workspace: string; visitorId: string | null }): Promise<boolean> {
  const found = findWorkspace(workspace);
  return !found || mayEnter({ workspace: found, visitorId });
}

/** The gate of every API route: a stranger to a private workspace gets its 404. */
export async function assertMayEnter(caller: Caller): Promise<void> {
  if (!(await mayEnter(caller))) unknownWorkspace();
}

/**
 * For the routes a private workspace answers before the caller is a member (opening an invite or
 * a handoff link): for a stranger, every refusal but a real link's "already used" or "expired"
 * (409) is the unknown workspace's 404 — a malformed, mistyped or guessed token, and the rate
 * limit, tell it nothing. A member, or anyone in a public workspace, hears the refusal as it is.
 */
export async function asNewcomer<T>(caller: Caller, work: () => Promise<T>): Promise<T> {
  if (await mayEnter(caller)) return work();
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppError && error.status >= 400 && error.status < 500 && error.status !== 409) unknownWorkspace();
    throw error;
  }
}

/**
 * Opens a member's handoff link: `redeem` spends it, and in a private workspace the browser becomes
 * a member too (it acts with that member's rights, and the page and its other routes must answer it).
 */
export async function enterThroughHandoff<T>({ workspace, visitorId, userAgent }: Caller & { visitorId: string; userAgent: string }, redeem: () => Promise<T>): Promise<T> {
  if (await mayEnter({ workspace, visitorId })) return redeem();
  const result = await asNewcomer({ workspace, visitorId }, redeem);
  await (await db()).call('admit_member', { p_workspace: workspace.name, p_visitor_id: visitorId, p_label: '', p_user_agent: userAgent.slice(0, 500), p_via: 'handoff' });
  return result;
}

export async function listMembers(workspace: string): Promise<Member[]> {
  return (await db()).call<Member[]>('list_members', { p_workspace: workspace });
}

/**
 * Removes a member (by the ID the list shows, or a longer part of it): its next request gets the
 * private page or the 404, its open event streams end within seconds (`watchMembership`), and its
 * notifications in the workspace stop. Returns its whole member id.
 */
export async function revokeMember({ workspace, member }: { workspace: string; member: string }): Promise<string> {
  const result = await (await db()).call<{ status: 'ok'; memberId: string } | { status: 'unknown' | 'ambiguous' }>('revoke_member', { p_workspace: workspace, p_member: member });
  if (result.status === 'ok') return result.memberId;
  if (result.status === 'ambiguous') throw new AppError('conflict:member_ambiguous', `More than one member's ID starts with "${member}": give more of it.`);
  throw new AppError('not_found:member', `No member of ${workspace} has the ID "${member}".`);
}
