import 'server-only';
import { AppError } from '@/lib/errors';
import { RUN_RETRY_AFTER_SECONDS } from '@/lib/http';
import { logger } from '@/lib/logger';
import type { BudgetExhausted } from './budgets';
import { shortDuration } from './human-duration';
import { limits } from './limits';

/**
 * Each visitor's fair share, the same on every instance: every refusal is a 429 with
 * Retry-After and a message the UI shows as it is. Other visitors are unaffected.
 */

/**
 * Refuses a run when the visitor already has their share going (on any instance), or used this
 * hour's. Otherwise the run holds a slot until `releaseRun`.
 */
export async function takeRun({ visitorId, runId }: { visitorId: string; runId: string }): Promise<void> {
  const { runsAtOnce, runsPerHour } = limits();
  if (!(await runsAtOnce.take({ visitorId, runId }))) {
    throw new AppError('rate_limited:runs_at_once', `You already have ${runsAtOnce.limit} runs going, the most one visitor can have at once. Wait for one to finish, or stop it.`, {
      retryAfterSeconds: RUN_RETRY_AFTER_SECONDS,
    });
  }
  const taken = await runsPerHour.take(visitorId);
  if (taken.ok) return;
  await runsAtOnce.release(runId);
  throw new AppError(
    'rate_limited:runs_per_hour',
    `You have sent ${runsPerHour.limit} messages in the last hour, the most this server allows. Try again in ${shortDuration(taken.retryAfterSeconds)}.`,
    {
      retryAfterSeconds: taken.retryAfterSeconds,
    },
  );
}

/** Gives back the run's slot of "runs at once" (safe to call more than once). */
/**
 * A run continued after its server went holds a slot again, without counting as a new message.
 * Never refused: the slot its dead server held frees itself within one lease.
 */
export async function resumeRun({ visitorId, runId }: { visitorId: string; runId: string }): Promise<void> {
  await limits().runsAtOnce.take({ visitorId, runId });
}

export async function releaseRun(runId: string): Promise<void> {
  await limits().runsAtOnce.release(runId);
}

/** True when the visitor may not start another conversation today (an existing one may go on). */
export async function conversationsFull(visitorId: string): Promise<boolean> {
  return !(await limits().conversationsPerDay.check(visitorId)).ok;
}

/** Counts a conversation the visitor just started; refuses when today's are used up. */
export async function takeConversation(visitorId: string): Promise<void> {
  const { conversationsPerDay } = limits();
  const taken = await conversationsPerDay.take(visitorId);
  if (taken.ok) return;
  throw new AppError(
    'rate_limited:conversations_per_day',
    `You have started ${conversationsPerDay.limit} conversations today, the most this server allows. Carry on in one of them, or try again in ${shortDuration(taken.retryAfterSeconds)}.`,
    {
      retryAfterSeconds: taken.retryAfterSeconds,
    },
  );
}

/**
 * Counts an upload of `bytes` toward the visitor's daily allowance of attachments; refuses past it.
 * Returns the function that gives it back, for an upload refused afterwards for another reason: only
 * an upload that is saved costs the visitor.
 */
export async function takeAttachmentBytes({ visitorId, bytes }: { visitorId: string; bytes: number }): Promise<() => Promise<void>> {
  const { attachmentAllowance } = limits();
  const taken = await attachmentAllowance.take({ visitorId, bytes });
  if (taken.ok) return taken.giveBack;
  throw new AppError(
    'rate_limited:attachment_bytes',
    `This file would take you past ${attachmentAllowance.mbPerDay} MB of attachments today, the most one visitor may upload in a day. Try again in ${shortDuration(taken.retryAfterSeconds)}, or attach a smaller file.`,
    { retryAfterSeconds: taken.retryAfterSeconds },
  );
}

/**
 * Counts a new visitor (a request without a cookie) from `address`. Each visitor gets its own
 * fair share, so without this cap dropping the cookie would be a way around every per-visitor limit.
 */
export async function takeNewVisitor(address: string): Promise<void> {
  const admitted = await limits().newVisitors.take(address);
  if (admitted.ok) return;
  throw new AppError('rate_limited:new_visitors', 'Too many new visitors from your network in the last minute. Try again shortly, and keep cookies on for this site.', {
    retryAfterSeconds: admitted.retryAfterSeconds,
  });
}

/** Counts a link (handoff, share or invite) the visitor makes; refused past the limit. */
export async function takeLinkMade(visitorId: string): Promise<void> {
  const allowed = await limits().linksMade.take(visitorId);
  if (!allowed.ok) throw new AppError('rate_limited:links', `Too many links: try again in ${allowed.retryAfterSeconds} s.`, { retryAfterSeconds: allowed.retryAfterSeconds });
}

/** Counts a handoff link the visitor opens; refused past the limit. */
export async function takeHandoffOpened(visitorId: string): Promise<void> {
  const allowed = await limits().handoffsOpened.take(visitorId);
  if (!allowed.ok) throw new AppError('rate_limited:handoff', `Too many handoff links opened: try again in ${allowed.retryAfterSeconds} s.`, { retryAfterSeconds: allowed.retryAfterSeconds });
}

/** Counts an invite link the visitor opens; refused past the limit. */
export async function takeInviteOpened(visitorId: string): Promise<void> {
  const allowed = await limits().invitesOpened.take(visitorId);
  if (!allowed.ok) throw new AppError('rate_limited:invites', `Too many invite links opened: try again in ${allowed.retryAfterSeconds} s.`, { retryAfterSeconds: allowed.retryAfterSeconds });
}

/**
 * A place for one more open event stream of the run, for the visitor (or share link); throws
 * before anything is written when either cap is reached. Call the returned function when the
 * stream closes.
 */
export async function openViewer({ runId, visitorId }: { runId: string; visitorId: string }): Promise<() => Promise<void>> {
  const { viewers } = limits();
  const leave = await viewers.open({ runId, visitorId });
  if (leave) return leave;
  throw new AppError(
    'rate_limited:viewers',
    `Too many open views of this run or from this browser (at most ${viewers.perRun} per run and ${viewers.perVisitor} per visitor). Close some tabs and try again.`,
    {
      retryAfterSeconds: 5,
    },
  );
}

/** Throws AppError('rate_limited:budget_visitor' | 'rate_limited:budget_workspace', message, { retryAfterSeconds }) when a daily budget is used up. */
export async function assertBudgetLeft(input: { visitorId: string; workspace: string }): Promise<void> {
  const exhausted = await limits().budgets.exhausted(input);
  if (exhausted) throw new AppError(exhausted.code, exhausted.message, { retryAfterSeconds: exhausted.retryAfterSeconds });
}

/** Adds spend (USD, may be 0) to both daily budgets; says which one (if any) is now used up. Never throws for a store outage (logs). */
export async function chargeSpend(input: { visitorId: string; workspace: string; usd: number }): Promise<BudgetExhausted | null> {
  try {
    return await limits().budgets.charge(input);
  } catch (error) {
    logger.error('recording spend failed', { visitorId: input.visitorId, workspace: input.workspace, usd: input.usd, error });
    return null;
  }
}
