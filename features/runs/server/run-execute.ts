import 'server-only';
import type { Workspace } from '@/features/workspaces/server';
import { serverEnv } from '@/lib/env';
import { logger } from '@/lib/logger';
import { PausableTimer } from '@/lib/pausable-timer';
import { agentOptions, type AskVisitor } from '@/features/agents/server';
import { agentWorkspaceDir, sandboxState } from '@/features/sandbox/server';
import { isMissingSession, rateLimitNotice, retryMessage } from '@/features/agents/server';
import { doorRules, ModelDoor } from '@/features/sandbox/server';
import { modelEndpoint, type ModelEndpoint } from '@/features/sandbox/server';
import { MessageNormalizer, sessionTaskPlan, TaskPlan } from '@/features/timeline/server';
import { copyDiskTranscriptToDatabase } from '@/features/agents/server';
import { loopbackBridge } from '@/features/sandbox/server';
import { acquireProcess, processKey, releaseProcess, replaceProcess } from '@/features/agents/server';
import { AgentProcess, type AgentPrompt } from '@/features/agents/server';
import { askTheVisitor } from './approval-bridge';
import { startEventPrompt } from './message-attachments';
import type { Run } from './run';
import { interrupt } from './run-control';
import { finish } from './run-finish';
import { meterSpend } from './run-spend';
import type { TurnOutcome } from './run-state';
import { saveRunProgress, writeSessionMapping } from './run-writes';
import { keepSpares, spareFor } from './run-spares';

/** How long to wait, when a turn breaks off, for the CLI's exit to tell whether the process died. */
const CRASH_GRACE_MS = 500;

/**
 * Runs the run's one turn: waits for an agent process (queued), hands it the prompt (starting,
 * then running), starts over once as a fresh session when the old one is gone, and records how
 * it ended (finishing, ended). It never throws for the agent's sake: every failure ends the run.
 */
export async function execute({
  run,
  workspace,
  prompt,
  sdkSessionId,
  resumeAt,
}: {
  run: Run;
  workspace: Workspace;
  /** What the agent is sent: made here when it has to be written first (a message's attachments), so a failure fails the run. */
  prompt: AgentPrompt | (() => Promise<AgentPrompt>);
  sdkSessionId: string | undefined;
  /** The session is resumed up to this entry (a message replacing the last one). */
  resumeAt?: string;
}) {
  const started = Date.now();
  let outcome: TurnOutcome = { result: undefined, thrown: undefined };
  let process: AgentProcess | null = null;
  // The model API, once reached: the workspace's spares are started for it after the turn.
  let reached: ModelEndpoint | undefined;
  const continued = run.continuations > 0;
  try {
    const firstPrompt = typeof prompt === 'function' ? await prompt() : prompt;
    const endpoint = (reached = await modelEndpoint());
    if (sdkSessionId && serverEnv().transcripts === 'database') await copyDiskTranscriptToDatabase(run.conversationId, sdkSessionId);
    const key = processKey(run.mode, workspace);
    // A warm process serves later runs too: these find the conversation's run of the moment.
    const askVisitor: AskVisitor = (call) => askTheVisitor(run.conversationId, workspace, call);
    const loopback = sandboxState().sandboxed ? null : await loopbackBridge(endpoint);
    // A continued run has what its earlier halves left of the turn limit.
    const turnsLeft = continued ? Math.max(1, serverEnv().TETHER_MAX_TURNS - run.turns) : undefined;
    const spawn = (resume: string | undefined) => () => {
      const door = new ModelDoor(doorRules(workspace, endpoint));
      const options = agentOptions({
        conversationId: run.conversationId,
        workspace,
        mode: run.mode,
        model: run.model,
        resume,
        resumeAt: resume === sdkSessionId ? resumeAt : undefined,
        endpoint,
        door,
        loopback,
        askVisitor,
        turnsLeft,
      });
      return new AgentProcess(run.conversationId, key, options, door);
    };
    // A new conversation's first message takes a pre-warmed agent when one fits (else it starts one).
    const isFirst = sdkSessionId === undefined && resumeAt === undefined && !continued;
    process =
      (isFirst ? spareFor({ conversationId: run.conversationId, workspace, model: run.model, mode: run.mode }) : null) ??
      (await acquireProcess({
        conversationId: run.conversationId,
        key,
        spawn: spawn(sdkSessionId),
        signal: run.cancelWait.signal,
        // A warm process holds its session as it is: one taken up to an earlier point, or none, needs a new one.
        fresh: resumeAt !== undefined || sdkSessionId === undefined,
        onPosition: (position) => run.emit({ type: 'queue', position }),
      }));
    if (process && run.events.at(-1)?.type === 'queue') run.emit({ type: 'queue', position: 0 });
    // The wall-clock limit counts while an agent works on it: not while it waits in line, nor
    // while it waits for the visitor's approval.
    run.timeLimit = new PausableTimer(serverEnv().TETHER_RUN_TIME_LIMIT_SECONDS * 1000 - run.earlierWorkMs, () => {
      run.state.requestEnd('time_limit');
      void interrupt(run);
    });
    if (process) {
      const resumedCold = process.cold && sdkSessionId !== undefined;
      run.process = process;
      // The run's checkpoint, as late as can be (edits while it waited in line are not its own) and
      // before the agent has the prompt: a run never starts without one.
      await run.checkpoints?.takeBefore();
      run.state.moveTo('starting');
      // The plan the session holds so far: a warm process's from its last turn; a cold one's from
      // the transcript (read while its CLI starts).
      const tasks = (process.cold ? sdkSessionId && (await taskPlanSoFar({ run, workspace, sdkSessionId, resumeAt })) : sessionPlans.get(process)) || new TaskPlan();
      sessionPlans.set(process, tasks);
      outcome = await attempt({ run, process, workspace, prompt: firstPrompt, tasks });
      // A continuation starts over from the visitor's message (its start event, from the journal).
      const again = continued ? await startEventPrompt(run, workspace) : firstPrompt;
      if (resumedCold && again !== undefined && isMissingSession(outcome) && !run.state.ending) {
        // The transcript is gone (expired or deleted; or, continuing, the server was killed before the
        // CLI wrote any of it): start over rather than fail the message.
        await writeSessionMapping(run.conversationId, null).first;
        run.emit({
          type: 'notice',
          message: continued
            ? 'The agent had saved nothing of this task before the restart, so it starts the task again.'
            : 'The earlier session with the agent had expired, so this message starts a fresh session.',
        });
        process = run.process = replaceProcess(process, spawn(undefined));
        run.state.moveTo('starting');
        const freshPlan = new TaskPlan();
        sessionPlans.set(process, freshPlan);
        outcome = await attempt({ run, process, workspace, prompt: again, tasks: freshPlan });
      }
    }
  } catch (error) {
    // Whatever throws on the way (the model endpoint, a spawn, the database) fails this run: it
    // must never stay "running" and hold its conversation with 409s.
    outcome = { result: outcome.result, thrown: error };
  } finally {
    run.state.moveTo('finishing');
    run.timeLimit?.clear();
    run.process = undefined;
    const reason = run.state.endReason;
    // A continuation's process has fewer turns than the next message needs.
    const healthy = outcome.result?.subtype === 'success' && !outcome.result.is_error && !outcome.thrown && (reason === null || reason === 'budget') && !continued;
    if (process) releaseProcess(process, { keepWarm: healthy });
  }
  await finish({ run, workspace, outcome, durationMs: Date.now() - started });
  // After the run's end is out (a spare's start must not delay it), and with the slots the queue left.
  if (reached) keepSpares(workspace, reached);
}

/** The plan each warm process's session holds now: a follow-up goes on from it without reading the transcript again. */
const sessionPlans = new WeakMap<AgentProcess, TaskPlan>();

/**
 * The CLI keeps one task list per session, so the plan a run shows goes on from the session's
 * earlier runs: read from the transcript while the agent starts. Unreadable, the run goes on with
 * the plan its own calls make.
 */
function taskPlanSoFar({ run, workspace, sdkSessionId, resumeAt }: { run: Run; workspace: Workspace; sdkSessionId: string; resumeAt?: string }): Promise<TaskPlan | undefined> {
  return sessionTaskPlan({ conversationId: run.conversationId, sdkSessionId, workspaceDir: agentWorkspaceDir(workspace), upTo: resumeAt }).catch((error: unknown) => {
    logger.warn('the earlier plan could not be read', { runId: run.id, conversationId: run.conversationId, error: String(error) });
    return undefined;
  });
}

/** One go of the turn on `process`; what it came back with, never a throw. `tasks`: the session's plan so far, which the turn's task calls change. */
async function attempt({ run, process, workspace, prompt, tasks }: { run: Run; process: AgentProcess; workspace: Workspace; prompt: AgentPrompt; tasks: TaskPlan }): Promise<TurnOutcome> {
  let refused: string | undefined;
  const normalizer = new MessageNormalizer(agentWorkspaceDir(workspace), tasks);
  // The door is open for this run alone; a spent budget shuts it and ends the turn.
  process.door.open({ onSpend: (spend) => meterSpend({ run, spend, onExhausted: () => void interrupt(run) }) });
  try {
    // (With the door open: the CLI checks the model with the API as it switches.)
    await process.useModel(run.model);
    const result = await process.turn(prompt, async (message) => {
      // The CLI's first word: it is answering now (and has the prompt: a continuation won't send it again).
      if (run.state.phase === 'starting') {
        run.state.moveTo('running');
        run.agentStarted = true;
        saveRunProgress(run);
      }
      if (message.type === 'system' && message.subtype === 'init') return void (await writeSessionMapping(run.conversationId, message.session_id).first);
      if (message.type === 'system' && message.subtype === 'api_retry') {
        if (message.error_status === 401 || message.error_status === 403) {
          // Retrying refused credentials takes minutes and can't succeed: end the process (and so
          // the turn) now; interrupt() and close() would both wait out the CLI's backoff.
          refused ??= `API Error: ${message.error_status} ${message.error}`;
          return void process.kill();
        }
        return void run.emit({ type: 'retry', message: retryMessage(message) });
      }
      if (message.type === 'system' && message.subtype === 'mirror_error') {
        // The SDK gave up on a batch (the mirror's own queue never refuses one, so this means a bug).
        return void logger.error('transcript mirror failed', { runId: run.id, conversationId: run.conversationId, error: message.error });
      }
      if (message.type === 'rate_limit_event') {
        const notice = rateLimitNotice(message.rate_limit_info);
        return void (notice && run.emit({ type: 'notice', message: notice }));
      }
      for (const event of normalizer.events(message)) run.emit(event);
    });
    run.context = { tokens: normalizer.contextTokens ?? run.context.tokens, window: result.modelUsage?.[run.model]?.contextWindow ?? run.context.window };
    return refused ? { result: undefined, thrown: new Error(refused) } : { result, thrown: undefined, streamError: process.door.lastStreamError };
  } catch (thrown) {
    if (refused) return { result: undefined, thrown: new Error(refused) };
    // The SDK's iterator throws after an error result, and when the process dies.
    return { result: undefined, thrown, crashed: await process.exited(CRASH_GRACE_MS), streamError: process.door.lastStreamError };
  } finally {
    process.door.close();
  }
}
