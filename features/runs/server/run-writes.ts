import 'server-only';
import { setSdkSession } from '@/features/conversations/server';
import { AppError } from '@/lib/errors';
import { retryWrite, writesSettled, type RetriedWrite } from '@/lib/db/retry';
import { recordRunChanges, recordRunSnapshot, type Snapshot } from '@/features/changes/server';
import type { FileChange } from '@/features/changes';
import { serverEnv } from '@/lib/env';
import type { Run } from './run';
import { recordRunEnd, recordRunProgress, type RunRecord } from './queries';

/**
 * A run's writes that a database blip must not drop: its session mapping, its Changes, its end
 * and cost. Each is tried at once and, while the database can't answer, retried until it does;
 * the writes of one conversation land in the order they were made (a later mapping never loses
 * to an earlier one). Callers wait for the first try only, so a run never waits for an outage.
 */

const laneOf = (conversationId: string) => `conversation:${conversationId}`;

/** How long a new message waits for the writes of its conversation's last run before answering 503. */
const SETTLE_BEFORE_RUN_MS = 5000;

export function writeSessionMapping(conversationId: string, sdkSessionId: string | null): RetriedWrite<void> {
  return retryWrite({ what: 'session mapping', key: laneOf(conversationId), write: () => setSdkSession(conversationId, sdkSessionId) });
}

export function writeRunChanges({ conversationId, runId, changes }: { conversationId: string; runId: string; changes: FileChange[] }): RetriedWrite<void> {
  return retryWrite({ what: 'run changes', key: laneOf(conversationId), write: () => recordRunChanges(runId, changes) });
}

/** What a continuation of the run will count on: its spend, turns and agent time so far, and whether the agent has the prompt. */
export function saveRunProgress(run: Run): RetriedWrite<void> {
  const progress = {
    id: run.id,
    costUsd: run.spent.usd,
    inputTokens: run.spent.inputTokens,
    outputTokens: run.spent.outputTokens,
    turns: run.turns,
    workedMs: run.workedMs(serverEnv().TETHER_RUN_TIME_LIMIT_SECONDS * 1000),
    agentStarted: run.agentStarted,
  };
  return retryWrite({ what: 'run progress', key: laneOf(run.conversationId), write: () => recordRunProgress(progress) });
}

/** A snapshot of the run's workspace (its before, for a continuation and Undo; its after, for Undo). */
export function writeRunSnapshot({ conversationId, runId, moment, snapshot }: { conversationId: string; runId: string; moment: 'before' | 'after'; snapshot: Snapshot }): RetriedWrite<string> {
  return retryWrite({ what: `run ${moment} snapshot`, key: laneOf(conversationId), write: () => recordRunSnapshot(runId, moment, snapshot) });
}

/** Resolves with null when the run was no longer running in the database (another instance took it over). */
export function writeRunEnd(conversationId: string, end: Parameters<typeof recordRunEnd>[0]): RetriedWrite<RunRecord | null> {
  return retryWrite({ what: 'run end', key: laneOf(conversationId), write: () => recordRunEnd(end) });
}

/**
 * Before a run starts: the previous run's writes have landed, so the new one resumes the right
 * session and the database holds no run of it still 'running'. Else 503, briefly.
 */
export async function assertRunWritesSettled(conversationId: string): Promise<void> {
  if (await writesSettled(laneOf(conversationId), SETTLE_BEFORE_RUN_MS)) return;
  throw new AppError('unavailable:database', 'The last run of this conversation is still being saved. Try again in a moment.', { retryAfterSeconds: 5 });
}
