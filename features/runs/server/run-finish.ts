import 'server-only';
import { workspaceFullNotice, type Workspace } from '@/features/workspaces/server';
import { serverEnv } from '@/lib/env';
import { logger } from '@/lib/logger';
import { isMissingSession } from '@/features/agents/server';
import { FINISHED_RUN_RETENTION_SECONDS, watchedElsewhere } from './live-events';
import type { Run } from './run';
import { announceRunFinished } from './run-notices';
import { dropJournal } from './run-journal';
import { forget, markEnded } from './run-registry';
import { endTable, type TurnOutcome } from './run-state';
import { saveRunProgress, writeRunChanges, writeRunEnd, writeSessionMapping } from './run-writes';

/** How long a finished run stays replayable in memory (and in Redis); after that its history comes from the transcript. */
const FINISHED_RUN_RETENTION_MS = FINISHED_RUN_RETENTION_SECONDS * 1000;

/**
 * Records how the run ended and tells everyone: its error or notice, the session mapping, its
 * file changes, the `end` event, the database record, and (once recorded) the completion push.
 */
export async function finish({ run, workspace, outcome, durationMs }: { run: Run; workspace: Workspace; outcome: TurnOutcome; durationMs: number }) {
  const reason = run.state.settle(outcome);
  if (reason === 'handed_over') return handOver(run);
  const context = { outcome, message: run.state.endMessage, timeLimitSeconds: serverEnv().TETHER_RUN_TIME_LIMIT_SECONDS };
  const { status, failure: failureOf, notice: noticeOf } = endTable[reason];
  const failure = failureOf?.(context) ?? null;
  if (failure) run.emit({ type: 'error', code: failure.code, message: failure.message });
  const notice = noticeOf?.(context);
  if (notice) run.emit({ type: 'notice', message: notice });
  if (outcome.result?.session_id && !isMissingSession(outcome)) {
    // A resume can come back under a new session id: the mapping follows the latest.
    await writeSessionMapping(run.conversationId, outcome.result.session_id).first;
  }
  const { changes, problem } = (await run.checkpoints?.changesAtEnd()) ?? { changes: [], problem: null };
  if (problem) run.emit({ type: 'notice', message: problem });
  // Shown when kept, or kept as soon as the database answers; not when refused (it is logged).
  if (changes.length > 0 && (await writeRunChanges({ conversationId: run.conversationId, runId: run.id, changes }).first) !== 'refused') {
    run.emit({ type: 'changes', runId: run.id, files: changes });
  }
  const full = workspaceFullNotice(workspace);
  if (full) run.emit({ type: 'notice', message: full });
  const end = {
    status,
    model: run.model,
    mode: run.mode,
    // The door's figures: every request of the run, the shell's direct calls included.
    costUsd: run.spent.usd,
    inputTokens: run.spent.inputTokens,
    outputTokens: run.spent.outputTokens,
    durationMs,
    contextTokens: run.context.tokens,
    contextWindow: run.context.tokens === null ? null : run.context.window,
  } as const;
  // Null when the run was no longer 'running' in the database: another instance, finding this one
  // silent, took it over (and announced it). While the database can't answer, viewers get `end`
  // now and the run is recorded (and announced) once it does; a refused write still announces.
  const record = writeRunEnd(run.conversationId, {
    id: run.id,
    status,
    costUsd: end.costUsd,
    inputTokens: end.inputTokens,
    outputTokens: end.outputTokens,
    durationMs,
    error: failure?.message ?? null,
  });
  const recorded: Promise<boolean> = record.landed.then(
    (row) => row !== null,
    () => true,
  );
  void recorded.then(() => dropJournal(run.id)); // the record has the end now
  // Known now unless it waits for the database (then announced once recorded).
  const recordedNow = (await record.first) === 'pending' ? undefined : await recorded;
  // Read before `end`: it closes the streams, and with them the visible viewers' count.
  const watched = run.hasVisibleViewer() || (await watchedElsewhere(run.id));
  run.state.moveTo('ended');
  run.emit({ type: 'end', ...end });
  markEnded(run);
  const announce = () => announceRunFinished({ conversationId: run.conversationId, status, model: run.model, mode: run.mode, error: failure?.message ?? null, answer: run.finalText(), watched });
  if (recordedNow) announce();
  if (recordedNow === undefined) void recorded.then((yes) => yes && announce());
  setTimeout(() => forget(run), FINISHED_RUN_RETENTION_MS).unref();
  logger.info('run finished', { runId: run.id, status, reason, durationMs });
}

/** What viewers are told when their run's server restarts and another process of it (or another instance) will continue it. */
export const HANDED_OVER_NOTICE = 'This server is restarting; your run will continue.';

/**
 * The run goes on after this process (its server restarts): viewers are told, what a continuation
 * counts on is saved, and nothing is recorded as ended: the run stays 'running' for whoever
 * continues it (this instance's next start, or the live instance that takes it over).
 */
function handOver(run: Run) {
  run.emit({ type: 'notice', message: HANDED_OVER_NOTICE });
  saveRunProgress(run);
  run.state.moveTo('ended');
  forget(run);
  logger.info('run handed over', { runId: run.id });
}

/** Last resort when recording a run's end itself threw: the run still ends, failed, for its viewers. */
export function failStuckRun(run: Run, error: unknown) {
  logger.error('run could not finish cleanly', { runId: run.id, error });
  if (run.state.phase === 'ended') return;
  run.state.moveTo('finishing');
  run.state.failFinishing();
  const failure = endTable.finishing_failed.failure!({ outcome: { result: undefined, thrown: error }, message: null, timeLimitSeconds: 0 });
  run.emit({ type: 'error', code: failure.code, message: failure.message });
  run.state.moveTo('ended');
  run.emit({ type: 'end', status: 'failed', model: run.model, mode: run.mode, costUsd: null, inputTokens: null, outputTokens: null, durationMs: Date.now() - run.startedAt.getTime() });
  markEnded(run);
  const durationMs = Date.now() - run.startedAt.getTime();
  void writeRunEnd(run.conversationId, { id: run.id, status: 'failed', costUsd: null, inputTokens: null, outputTokens: null, durationMs, error: 'finishing failed' }).landed.catch(() => {});
}
