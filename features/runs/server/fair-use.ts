import 'server-only';
import type { Workspace } from '@/features/workspaces/server';
import { AppError } from '@/lib/errors';
import { serverEnv } from '@/lib/env';
import { SlidingWindowLimit } from '@/lib/rate-limit';
import { agentModes, type AgentMode } from '../types';

/**
 * Each visitor's fair share of this server, so one visitor can't hold every agent: runs at once,
 * runs per hour, new conversations per day (all from env, README "Limits"). Every refusal is a
 * 429 with Retry-After and a message the UI shows as it is. Other visitors are unaffected.
 */

type Limits = { runsPerHour: SlidingWindowLimit; conversationsPerDay: SlidingWindowLimit };
const store = globalThis as { tetherFairUse?: Limits };

function limits(): Limits {
  const env = serverEnv();
  return (store.tetherFairUse ??= {
    runsPerHour: new SlidingWindowLimit(env.TETHER_RUNS_PER_VISITOR_PER_HOUR, 60 * 60 * 1000),
    conversationsPerDay: new SlidingWindowLimit(env.TETHER_CONVERSATIONS_PER_VISITOR_PER_DAY, 24 * 60 * 60 * 1000),
  });
}

/** Seconds to suggest when a visitor's own runs fill their share: about one run's length. */
const RUN_RETRY_AFTER_SECONDS = 15;

/** The models this workspace offers: the server's, narrowed by the workspace's settings. */
export function offeredModels(workspace: Workspace): string[] {
  const all = serverEnv().TETHER_MODELS;
  return workspace.config.models ? all.filter((model) => workspace.config.models!.includes(model)) : all;
}

export function offeredModes(workspace: Workspace): AgentMode[] {
  return workspace.config.modes ? agentModes.filter((mode) => workspace.config.modes!.includes(mode)) : [...agentModes];
}

export function assertOffered({ workspace, model, mode }: { workspace: Workspace; model: string; mode: AgentMode }): void {
  const models = offeredModels(workspace);
  if (!models.includes(model)) throw new AppError('bad_request:unknown_model', `The model "${model}" is not offered here. Choose one of: ${models.join(', ')}.`);
  const modes = offeredModes(workspace);
  if (!modes.includes(mode)) throw new AppError('bad_request:mode_not_offered', `This workspace offers ${modes.join(' and ')} mode only.`);
}

/** Refuses a run when the visitor already has their share of runs going, or used this hour's. Counts it otherwise. */
export function takeRun({ visitorId, runningNow }: { visitorId: string; runningNow: number }): void {
  const atOnce = serverEnv().TETHER_RUNS_AT_ONCE_PER_VISITOR;
  if (runningNow >= atOnce) {
    throw new AppError('rate_limited:runs_at_once', `You already have ${runningNow} runs going, the most one visitor can have at once. Wait for one to finish, or stop it.`, {
      retryAfterSeconds: RUN_RETRY_AFTER_SECONDS,
    });
  }
  const taken = limits().runsPerHour.take(visitorId);
  if (!taken.ok) {
    throw new AppError('rate_limited:runs_per_hour', `You have sent ${limits().runsPerHour.limit} messages in the last hour, the most this server allows. Try again in ${minutes(taken.retryAfterSeconds)}.`, {
      retryAfterSeconds: taken.retryAfterSeconds,
    });
  }
}

/** True when the visitor may not start another conversation today (an existing one may go on). */
export function conversationsFull(visitorId: string): boolean {
  return limits().conversationsPerDay.full(visitorId);
}

/** Counts a conversation the visitor just started; refuses when today's are used up. */
export function takeConversation(visitorId: string): void {
  const taken = limits().conversationsPerDay.take(visitorId);
  if (!taken.ok) {
    throw new AppError('rate_limited:conversations_per_day', `You have started ${limits().conversationsPerDay.limit} conversations today, the most this server allows. Carry on in one of them, or try again in ${minutes(taken.retryAfterSeconds)}.`, {
      retryAfterSeconds: taken.retryAfterSeconds,
    });
  }
}

function minutes(seconds: number): string {
  return seconds < 90 ? `${seconds} s` : seconds < 5400 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds / 3600)} h`;
}
