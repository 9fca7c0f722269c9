import 'server-only';
import { getConversation } from '@/features/conversations/server';
import { resumeRun } from '@/features/limits/server';
import { conversationWorkspace, findWorkspace, type Workspace } from '@/features/workspaces/server';
import { RESTARTED_NOTE } from '@/features/approvals/vocabulary';
import { keptBefore, RunSnapshots, type Snapshot } from '@/features/changes/server';
import { CONTINUATION_PROMPT, CONTINUED_NOTICE } from '@/features/timeline/vocabulary';
import { logger } from '@/lib/logger';
import { endOrphanedStream, publishRunEvents } from './live-events';
import { recordRunEnd, type OrphanedRun } from './queries';
import { Run } from './run';
import { startEventPrompt } from './message-attachments';
import { execute } from './run-execute';
import { failStuckRun } from './run-finish';
import { dropJournal, journaledEvents, journalRunEvents } from './run-journal';
import { announceRunFinished } from './run-notices';
import { register } from './run-registry';
import { writeRunSnapshot } from './run-writes';

/**
 * The runs this instance claimed after their server went (its own earlier process, or a silent
 * instance): each one still 'running' is continued here as the same run, the others (stopped
 * meanwhile, or out of continuations) are ended for their viewers and announced.
 */
export async function takeOnOrphanedRuns(runs: OrphanedRun[]): Promise<void> {
  for (const record of runs) {
    if (record.status === 'running') await continueRun(record).catch((error: unknown) => endUncontinued(record, error));
    else await announceOrphanedEnd(record);
  }
}

/**
 * The snapshots of `run`, each kept in the database as well (a continuation starts from its
 * earlier half's `before`). The database may be slow to answer: the snapshot's ref holds it
 * meanwhile; a write it refuses keeps the run from starting.
 */
export function runCheckpoints(run: Run, workspace: Workspace, before: Snapshot | null = null): RunSnapshots {
  const keep = async (moment: 'before' | 'after', snapshot: Snapshot) => {
    if ((await writeRunSnapshot({ conversationId: run.conversationId, runId: run.id, moment, snapshot }).first) === 'refused') {
      throw new Error(`the run's ${moment} snapshot could not be kept`);
    }
  };
  return new RunSnapshots(workspace, run.id, keep, before);
}

/**
 * The same run, numbered on from the events its earlier half left, with its limits counted on
 * from what that half used. The agent resumes its session, told what happened; one that never
 * got the prompt is sent it now.
 */
async function continueRun(record: OrphanedRun): Promise<void> {
  const shared = findWorkspace(record.workspace);
  const conversation = shared && (await getConversation({ id: record.conversationId, visitorId: record.visitorId, workspace: shared.name }));
  if (!shared || !conversation) throw new Error('its workspace or conversation is gone');
  const workspace = conversationWorkspace(shared, record.conversationId);
  const events = await journaledEvents(record.id);
  const run = new Run(record.id, record.conversationId, record.visitorId, record.workspace, record.model, record.mode, new Date(record.startedAt));
  run.resumeFrom(events);
  if (run.status !== 'running') return recordJournaledEnd(run, record);
  const start = events[0]?.type === 'start' ? events[0] : undefined;
  if (!record.agentStarted && !start) throw new Error('its prompt is not known here');
  Object.assign(run, { continuations: record.continuations, turns: record.turns, earlierWorkMs: record.workedMs, agentStarted: record.agentStarted });
  Object.assign(run.spent, { usd: record.costUsd ?? 0, inputTokens: record.inputTokens ?? 0, outputTokens: record.outputTokens ?? 0 });
  if (record.mode !== 'plan') run.checkpoints = runCheckpoints(run, workspace, await keptBefore(workspace, record.id));
  register(run);
  publishRunEvents(run, events.length);
  journalRunEvents(run);
  await resumeRun({ visitorId: record.visitorId, runId: record.id });
  logger.info('continuing a run after its server went', { runId: run.id, continuation: record.continuations, events: events.length });
  // Approvals its server died waiting for are asked again by the agent: their cards say so.
  for (const approvalId of pendingApprovals(run)) {
    run.emit({ type: 'approval_decided', approvalId, decision: 'deny', scope: 'once', note: RESTARTED_NOTE, by: 'restart', device: null });
  }
  run.emit({ type: 'notice', message: CONTINUED_NOTICE });
  // One whose agent never got the message is sent it now, its attachments with it.
  const prompt = record.agentStarted ? CONTINUATION_PROMPT : async () => (await startEventPrompt(run, workspace))!;
  void execute({ run, workspace, prompt, sdkSessionId: conversation.sdkSessionId ?? undefined }).catch((error: unknown) => failStuckRun(run, error));
}

function pendingApprovals(run: Run): string[] {
  const decided = new Set(run.events.flatMap((event) => (event.type === 'approval_decided' ? [event.approvalId] : [])));
  return run.events.flatMap((event) => (event.type === 'approval' && !decided.has(event.approvalId) ? [event.approvalId] : []));
}

/**
 * The run had ended (its viewers saw `end`) but its server went before the database had the
 * record: it is recorded from its journal now, and announced, as its server would have.
 */
async function recordJournaledEnd(run: Run, record: OrphanedRun): Promise<void> {
  const end = run.events.at(-1)!;
  if (end.type !== 'end') return;
  const error = run.events.findLast((event) => event.type === 'error');
  const status = end.status;
  const recorded = await recordRunEnd({
    id: run.id,
    status,
    costUsd: end.costUsd,
    inputTokens: end.inputTokens,
    outputTokens: end.outputTokens,
    durationMs: end.durationMs,
    error: error?.type === 'error' ? error.message : null,
  });
  dropJournal(run.id);
  if (recorded) announceRunFinished({ conversationId: run.conversationId, status, model: run.model, mode: run.mode, error: recorded.error, answer: run.finalText(), watched: false });
  logger.info('recorded the end of a run its server had not saved', { runId: run.id, status, continuations: record.continuations });
}

/** A run that could not be continued after all: it ends interrupted, as a run did before continuations. */
async function endUncontinued(record: OrphanedRun, error: unknown): Promise<void> {
  logger.error('a run could not be continued', { runId: record.id, error });
  const ended = await recordRunEnd({ ...record, status: 'interrupted', durationMs: record.workedMs, error: 'The server running this went away, and the run could not be continued.' });
  if (ended) await announceOrphanedEnd({ ...record, status: 'interrupted' });
}

/** A claimed run that ended without a continuation: its viewers (with Redis) get the end, its conversation the push. */
async function announceOrphanedEnd(record: OrphanedRun): Promise<void> {
  const status = record.status === 'stopped' ? 'stopped' : 'interrupted';
  const notice = status === 'stopped' ? 'Stopped.' : 'The server running this went away, so the run was cut off. Send a message to carry on.';
  await endOrphanedStream({ id: record.id, model: record.model, mode: record.mode, status, notice, durationMs: record.workedMs }).catch((error: unknown) =>
    logger.error('ending a taken-over run failed', { runId: record.id, error }),
  );
  dropJournal(record.id);
  announceRunFinished({ conversationId: record.conversationId, status, model: record.model, mode: record.mode, error: null, answer: '', watched: false });
}
