import 'server-only';
import { randomUUID } from 'node:crypto';
import { openCountedConversation } from '@/features/conversations/server';
import { assertBudgetLeft, takeRun } from '@/features/limits/server';
import { assertDiskReserve, openConversationWorkspace, type Workspace } from '@/features/workspaces/server';
import { logger } from '@/lib/logger';
import type { SendMessageInput } from '../schemas';
import type { RunInfo } from '../types';
import { assertCanQueue } from '@/features/agents/server';
import { agentWorkspaceDir, assertOffered } from '@/features/sandbox/server';
import { replacePoint } from '@/features/timeline/server';
import { assertNotDraining, instanceId } from '@/features/cluster/server';
import { sendAttachments } from '@/features/attachments/server';
import { withAgentNotes } from './agent-notes';
import { commandPrompt } from './commands';
import { checkMessageAttachments, messagePrompt } from './message-attachments';
import { runCheckpoints } from './continuation';
import { publishRunEvents } from './live-events';
import { insertRun, markRunReplaced } from './queries';
import { Run } from './run';
import { execute } from './run-execute';
import { failStuckRun } from './run-finish';
import { journalRunEvents } from './run-journal';
import { assertNoActiveRun, forget, register, runActiveError } from './run-registry';
import { assertRunWritesSettled } from './run-writes';

/**
 * A visitor's message, on an instance that is not draining: admitted past every fair-use rule (models and modes on offer, disk, budget,
 * conversations and runs at once, the queue), recorded as the conversation's one running run, and
 * handed to `execute`, which goes on after the request has its answer.
 */
export async function startRun({
  visitorId,
  workspace,
  conversationId,
  text,
  model,
  mode,
  replaceLast = false,
  attachments: attachmentIds = [],
}: SendMessageInput & {
  visitorId: string;
  workspace: Workspace;
  conversationId: string;
}): Promise<RunInfo> {
  assertNotDraining();
  assertOffered({ workspace, model, mode });
  const prompt = commandPrompt(workspace, text);
  assertDiskReserve();
  await assertBudgetLeft({ visitorId, workspace: workspace.name });
  // Retry, Edit: checked once the replaced message is read (below), as it may name that one's again.
  const checked = replaceLast ? [] : await checkMessageAttachments({ conversationId, visitorId, workspace, ids: attachmentIds, mode });
  const conversation = await openCountedConversation({ id: conversationId, visitorId, workspace: workspace.name, title: (text || checked.map(({ name }) => name).join(', ')).slice(0, 120) });
  // With worktree isolation the first message makes the conversation's worktree: its files from here on.
  workspace = await openConversationWorkspace(workspace, conversationId);
  // After an outage: the last run's end and mapping land first (else this run would 409, or resume the wrong session).
  await assertRunWritesSettled(conversationId);
  // Check and claim with no await in between, so two sends can't both start a run.
  assertNoActiveRun(conversationId);
  assertCanQueue();
  // Retry, Edit: where the session resumes, read from the transcript, and then the attachments, which
  // may be the replaced message's again. Awaits, so the checks are made again after them, and the
  // claim still follows them with no await in between.
  const { again, ...session } = replaceLast ? await replacedSession(conversationId, conversation.sdkSessionId, workspace) : { again: [], sdkSessionId: conversation.sdkSessionId ?? undefined };
  const attachments = replaceLast ? await checkMessageAttachments({ conversationId, visitorId, workspace, ids: attachmentIds, mode, again }) : checked;
  if (replaceLast) assertNoActiveRun(conversationId);
  const run = new Run(randomUUID(), conversationId, visitorId, workspace.name, model, mode);
  if (mode !== 'plan') run.checkpoints = runCheckpoints(run, workspace);
  register(run);
  publishRunEvents(run); // for viewers on other instances (with Redis)
  journalRunEvents(run); // without Redis, for this instance's next start
  let recorded;
  try {
    // Runs at once count on every instance: the run holds a slot until it ends (or is forgotten).
    await takeRun({ visitorId, runId: run.id });
    recorded = await insertRun({ id: run.id, conversationId, model, mode, owner: instanceId() });
  } catch (error) {
    forget(run);
    throw error;
  }
  if (!recorded) {
    // Another instance runs this conversation (the database holds one running run per conversation).
    forget(run);
    throw runActiveError();
  }
  // The run is recorded: a failure here must not keep it from running (the old outcome stays shown).
  if (replaceLast) await markRunReplaced(conversationId, run.id).catch((error: unknown) => logger.warn('marking the replaced run failed', { runId: run.id, error }));
  run.emit({ type: 'start', runId: run.id, conversationId, model, mode, prompt: text, ...(attachments.length > 0 ? { attachments } : {}) });
  // The attachments become the run's, and their files are written, once it is recorded and running:
  // should that fail now (one taken back since the check), the run fails like any other.
  const message = async () => {
    if (attachments.length > 0) await sendAttachments({ conversationId, runId: run.id, ids: attachments.map(({ id }) => id), again });
    const made = await messagePrompt({ conversationId, visitorId, workspace, mode, text: prompt, attachments });
    return withAgentNotes({ conversationId, runId: run.id, text, prompt: made });
  };
  void execute({ run, workspace, prompt: message, ...session }).catch((error: unknown) => failStuckRun(run, error));
  return run.info();
}

/**
 * The session a message replacing the last one resumes, and up to where (see replacePoint), with
 * the replaced message's attachments (`again`), which the one replacing it may carry again.
 */
async function replacedSession(conversationId: string, sdkSessionId: string | null, workspace: Workspace): Promise<{ sdkSessionId: string | undefined; resumeAt?: string; again: string[] }> {
  const point = sdkSessionId ? await replacePoint({ conversationId, sdkSessionId, workspaceDir: agentWorkspaceDir(workspace) }) : null;
  if (!point) return { sdkSessionId: sdkSessionId ?? undefined, again: [] }; // nothing of the visitor's to leave behind
  if (point.resumeAt === null) return { sdkSessionId: undefined, again: point.attachments }; // the last message was the first
  return { sdkSessionId: sdkSessionId!, resumeAt: point.resumeAt, again: point.attachments };
}
