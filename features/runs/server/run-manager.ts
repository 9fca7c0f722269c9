import 'server-only';
import { randomUUID } from 'node:crypto';
import type { SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import { getConversation, openConversation } from '@/features/conversations/server';
import { assertBudgetLeft, conversationsFull, releaseRun, takeConversation, takeRun } from '@/features/limits/server';
import { assertDiskReserve, workspaceFullNotice, type Workspace } from '@/features/workspaces/server';
import { AppError } from '@/lib/errors';
import { serverEnv } from '@/lib/env';
import { logger } from '@/lib/logger';
import { PausableTimer } from '@/lib/pausable-timer';
import { redis } from '@/lib/redis';
import type { DecideApprovalInput, SendMessageInput } from '../schemas';
import type { RunEvent, RunInfo } from '../types';
import { agentOptions, type AskVisitor } from './agent/agent-options';
import { describeToolCall } from './agent/describe-tool-call';
import { copyDiskTranscriptToDatabase } from './agent/transcript';
import { agentWorkspaceDir, sandboxState } from './agent/agent-sandbox';
import { doorRules, ModelDoor } from './agent/model-door';
import { loopbackBridge } from './agent/unconfined-spawner';
import { describeFailure, isMissingSession, rateLimitNotice, retryMessage, timeLimitFailure } from './agent/failures';
import { modelEndpoint } from './agent/model-endpoint';
import { normalizeMessage } from './agent/normalize';
import { acquireProcess, assertCanQueue, closeAllProcesses, hasProcess, killProcessesOf, releaseProcess, replaceProcess } from './agent-pool';
import { AgentProcess } from './agent-process';
import { assertOffered } from './fair-use';
import { meterSpend } from './run-spend';
import { instanceId } from './instance-id';
import { FINISHED_RUN_RETENTION_SECONDS, listenForControl, publishRunEvents, remoteRun, watchedElsewhere, type RemoteRun } from './live-events';
import { FileCheckpoints } from './file-changes';
import { getRun, insertRun } from './queries';
import { Run } from './run';
import { announceApprovalNeeded, announceRunFinished } from './run-notices';
import type { Verdict } from './approvals';
import { assertRunWritesSettled, writeRunChanges, writeRunEnd, writeSessionMapping } from './run-writes';

/** How long a finished run stays replayable in memory (and in Redis); after that its history comes from the transcript. */
const FINISHED_RUN_RETENTION_MS = FINISHED_RUN_RETENTION_SECONDS * 1000;
/** How long to wait, when a turn breaks off, for the CLI's exit to tell whether the process died. */
const CRASH_GRACE_MS = 500;

// Route handlers and instrumentation get separate module copies: the registry lives on globalThis.
type Registry = { runs: Map<string, Run>; activeByConversation: Map<string, Run> };
const store = globalThis as { tetherRuns?: Registry };
const registry = (store.tetherRuns ??= { runs: new Map(), activeByConversation: new Map() });

export function activeRun(conversationId: string): Run | undefined {
  return registry.activeByConversation.get(conversationId);
}

/** Whether this instance runs (or just ran) `runId` for `visitorId`: then it is theirs, no need to ask the database. */
export function isLocalRunOf(runId: string, visitorId: string): boolean {
  return registry.runs.get(runId)?.visitorId === visitorId;
}

/** The visitor's run in this workspace, on this instance; anyone else's (or an unknown id) is not found. */
export function requireRun({ runId, visitorId, workspace }: { runId: string; visitorId: string; workspace: string }): Run {
  const run = registry.runs.get(runId);
  if (!run || run.visitorId !== visitorId || run.workspace !== workspace) throw new AppError('not_found:run', 'No such run.');
  return run;
}

/**
 * The visitor's run in this workspace, wherever it runs: here, or (with Redis) on another
 * instance, mirrored from its stream. Anyone else's, an unknown id, or one whose events are gone
 * is not found.
 */
export async function findRun({ runId, visitorId, workspace }: { runId: string; visitorId: string; workspace: string }): Promise<Run | RemoteRun> {
  const local = registry.runs.get(runId);
  if (local) return requireRun({ runId, visitorId, workspace });
  const record = redis() ? await getRun({ runId, visitorId, workspace }) : null;
  const remote = record && (await remoteRun({ ...record, visitorId }));
  if (!remote) throw new AppError('not_found:run', 'No such run.');
  return remote;
}

/** Stop, from any instance. */
export async function stopAnywhere(run: Run | RemoteRun): Promise<RunInfo> {
  if (!('remote' in run)) return stopRun(run);
  await run.stop();
  return run.info();
}

/** An approval decision, from any instance. */
export async function decideAnywhere(run: Run | RemoteRun, approvalId: string, input: DecideApprovalInput): Promise<void> {
  if (!('remote' in run)) return run.approvals.decide(approvalId, input);
  await run.decide(approvalId, input);
}

/** At start (with Redis): Stop and decisions that viewers on other instances send for this instance's runs. */
export async function obeyOtherInstances(): Promise<void> {
  await listenForControl((control) => {
    const run = registry.runs.get(control.runId);
    if (!run) return;
    if (control.type === 'stop') return void stopRun(run);
    try {
      run.approvals.decide(control.approvalId, control.input);
    } catch {
      // Decided here or elsewhere first: the first decision stands, and every viewer sees it.
    }
  });
}

export async function startRun({ visitorId, workspace, conversationId, text, model, mode }: SendMessageInput & {
  visitorId: string;
  workspace: Workspace;
  conversationId: string;
}): Promise<RunInfo> {
  assertOffered({ workspace, model, mode });
  assertDiskReserve();
  await assertBudgetLeft({ visitorId, workspace: workspace.name });
  // A visitor at today's cap may go on in an existing conversation, not start another.
  if ((await conversationsFull(visitorId)) && !(await getConversation({ id: conversationId, visitorId, workspace: workspace.name }))) await takeConversation(visitorId);
  const conversation = await openConversation({ id: conversationId, visitorId, workspace: workspace.name, title: text.slice(0, 120) });
  if (!conversation) throw new AppError('not_found:conversation', 'No such conversation.');
  // After an outage: the last run's end and mapping land first (else this run would 409, or resume the wrong session).
  await assertRunWritesSettled(conversationId);
  // Created by this call: both times are the same transaction's now(), and no session yet.
  if (conversation.createdAt === conversation.lastActivityAt && !conversation.sdkSessionId) await takeConversation(visitorId);
  // Check and claim with no await in between, so two sends can't both start a run.
  if (registry.activeByConversation.has(conversationId)) {
    throw new AppError('conflict:run_active', 'A run is already in progress in this conversation. Wait for it or stop it.');
  }
  assertCanQueue();
  const run = new Run(randomUUID(), conversationId, visitorId, workspace.name, model, mode);
  if (mode !== 'plan') run.checkpoints = new FileCheckpoints(workspace);
  registry.activeByConversation.set(conversationId, run);
  registry.runs.set(run.id, run);
  publishRunEvents(run); // for viewers on other instances (with Redis)
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
    throw new AppError('conflict:run_active', 'A run is already in progress in this conversation. Wait for it or stop it.');
  }
  run.emit({ type: 'start', runId: run.id, conversationId, model, mode, prompt: text });
  void execute({ run, workspace, prompt: text, sdkSessionId: conversation.sdkSessionId ?? undefined }).catch((error: unknown) => failStuckRun(run, error));
  return run.info();
}

/**
 * At shutdown: interrupts every run in progress and waits (up to `timeoutMs`) for each to be
 * recorded as interrupted, so the next start finds them finished and the conversation carries on.
 */
export async function interruptAllRuns(timeoutMs: number): Promise<void> {
  const active = [...registry.activeByConversation.values()];
  const ended = active.map((run) => {
    run.interruptedByShutdown = true;
    return new Promise<void>((resolve) => run.subscribe(run.events.length, (event: RunEvent) => event.type === 'end' && resolve()));
  });
  await Promise.all(active.map((run) => interrupt(run)));
  await Promise.race([Promise.all(ended), new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
  closeAllProcesses();
}

/**
 * Makes this process forget a conversation that was deleted: kills its agent processes (a run in
 * progress ends stopped), waits up to `timeoutMs` for them to exit, and drops its runs from memory.
 */
export async function forgetRunsOf(conversationId: string, timeoutMs: number): Promise<void> {
  const active = registry.activeByConversation.get(conversationId);
  const ended = active && new Promise<void>((resolve) => active.subscribe(active.events.length, (event: RunEvent) => event.type === 'end' && resolve()));
  if (active) {
    active.stopRequested = true;
    active.cancelWait.abort();
  }
  await killProcessesOf(conversationId, timeoutMs);
  if (ended) await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
  for (const run of registry.runs.values()) if (run.conversationId === conversationId) forget(run);
}

/** True while the conversation has a run or an agent process on this instance. */
export function isBusy(conversationId: string): boolean {
  return registry.activeByConversation.has(conversationId) || hasProcess(conversationId);
}

/** Stops a run from any viewer. interrupt() ends the CLI's turn in ~0.1 s (abort() would wait ~2 s). */
export async function stopRun(run: Run): Promise<RunInfo> {
  // Once its turn is over the run is only being recorded: there is nothing left to stop.
  if (run.status !== 'running' || run.turnDone) return run.info();
  run.stopRequested = true;
  await interrupt(run);
  return run.info();
}

async function interrupt(run: Run) {
  run.cancelWait.abort(); // a run still waiting for a slot leaves the queue
  run.approvals.settleAll('stop'); // a turn waiting for the visitor's approval can end now
  await run.process?.query.interrupt().catch((error: unknown) => logger.warn('interrupt failed', { runId: run.id, error }));
}

/**
 * Ask mode: the conversation's run in progress puts the tool call to its visitor. The process
 * outlives the run that started it (it stays warm), so the run is looked up, not captured. While
 * it waits the run's time limit is paused; the process keeps its agent slot (see README).
 */
async function askTheVisitor(conversationId: string, workspace: Workspace, { tool, input, toolId }: Parameters<AskVisitor>[0]): Promise<Verdict> {
  const run = registry.activeByConversation.get(conversationId);
  if (!run || run.turnDone || run.stopRequested) return { behavior: 'deny', message: 'The run was stopped.' };
  const description = describeToolCall({ tool, input, workspaceDir: workspace.filesDir, agentWorkspaceDir: agentWorkspaceDir(workspace) });
  run.timeLimit?.pause();
  try {
    return await run.approvals.request({
      tool,
      toolId,
      description,
      timeoutMs: serverEnv().TETHER_APPROVAL_TIMEOUT_SECONDS * 1000,
      onAsked: () =>
        void watchedElsewhere(run.id).then((elsewhere) =>
          announceApprovalNeeded({ conversationId, model: run.model, mode: run.mode, summary: description.summary, watched: run.hasVisibleViewer() || elsewhere }),
        ),
    });
  } finally {
    if (!run.approvals.waiting) run.timeLimit?.resume();
  }
}

type Attempt = { result: SDKResultMessage | undefined; thrown: unknown; crashed?: AgentProcess['exit'] };

async function execute({ run, workspace, prompt, sdkSessionId }: { run: Run; workspace: Workspace; prompt: string; sdkSessionId: string | undefined }) {
  const started = Date.now();
  let outcome: Attempt = { result: undefined, thrown: undefined };
  let process: AgentProcess | null = null;
  try {
    const endpoint = await modelEndpoint();
    if (sdkSessionId && serverEnv().transcripts === 'database') await copyDiskTranscriptToDatabase(run.conversationId, sdkSessionId);
    // Everything the process was started with: a follow-up with other settings needs a new one.
    const key = JSON.stringify([run.model, run.mode, workspace.config]);
    // A warm process serves later runs too: these find the conversation's run of the moment.
    const askVisitor: AskVisitor = (call) => askTheVisitor(run.conversationId, workspace, call);
    const beforeEdit = (relativePath: string) => activeRun(run.conversationId)?.checkpoints?.keep(relativePath);
    const loopback = sandboxState().sandboxed ? null : await loopbackBridge(endpoint);
    const spawn = (resume: string | undefined) => () => {
      const door = new ModelDoor(doorRules(workspace, endpoint));
      const options = agentOptions({ conversationId: run.conversationId, workspace, mode: run.mode, model: run.model, resume, endpoint, door, loopback, askVisitor, beforeEdit });
      return new AgentProcess(run.conversationId, key, options, door);
    };
    process = await acquireProcess({
      conversationId: run.conversationId,
      key,
      spawn: spawn(sdkSessionId),
      signal: run.cancelWait.signal,
      onPosition: (position) => run.emit({ type: 'queue', position }),
    });
    if (process && run.events.at(-1)?.type === 'queue') run.emit({ type: 'queue', position: 0 });
    // The wall-clock limit counts while an agent works on it: not while it waits in line, nor
    // while it waits for the visitor's approval.
    run.timeLimit = new PausableTimer(serverEnv().TETHER_RUN_TIME_LIMIT_SECONDS * 1000, () => {
      run.timedOut = true;
      void interrupt(run);
    });
    if (process) {
      const resumedCold = process.cold && sdkSessionId !== undefined;
      run.process = process;
      outcome = await attempt({ run, process, workspace, prompt });
      if (resumedCold && isMissingSession(outcome) && !run.stopRequested) {
        // The transcript is gone (expired or deleted): start over rather than fail the message.
        await writeSessionMapping(run.conversationId, null).first;
        run.emit({ type: 'notice', message: 'The earlier session with the agent had expired, so this message starts a fresh session.' });
        process = run.process = replaceProcess(process, spawn(undefined));
        outcome = await attempt({ run, process, workspace, prompt });
      }
    }
  } catch (error) {
    // Whatever throws on the way (the model endpoint, a spawn, the database) fails this run: it
    // must never stay "running" and hold its conversation with 409s.
    outcome = { result: outcome.result, thrown: error };
  } finally {
    run.timeLimit?.clear();
    run.turnDone = true;
    run.process = undefined;
    const healthy = outcome.result?.subtype === 'success' && !outcome.result.is_error && !outcome.thrown && !run.stopRequested && !run.timedOut;
    if (process) releaseProcess(process, { keepWarm: healthy && !run.interruptedByShutdown });
  }
  await finish({ run, workspace, outcome, durationMs: Date.now() - started });
}

async function attempt({ run, process, workspace, prompt }: { run: Run; process: AgentProcess; workspace: Workspace; prompt: string }): Promise<Attempt> {
  let refused: string | undefined;
  // The door is open for this run alone; a spent budget shuts it and ends the turn.
  process.door.open({ onSpend: (spend) => meterSpend({ run, spend, onExhausted: () => void interrupt(run) }) });
  try {
    const result = await process.turn(prompt, async (message) => {
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
      for (const event of normalizeMessage(message, agentWorkspaceDir(workspace))) run.emit(event);
    });
    return refused ? { result: undefined, thrown: new Error(refused) } : { result, thrown: undefined };
  } catch (thrown) {
    if (refused) return { result: undefined, thrown: new Error(refused) };
    // The SDK's iterator throws after an error result, and when the process dies.
    return { result: undefined, thrown, crashed: await process.exited(CRASH_GRACE_MS) };
  } finally {
    process.door.close();
  }
}

async function finish({ run, workspace, outcome, durationMs }: { run: Run; workspace: Workspace; outcome: Attempt; durationMs: number }) {
  const { result } = outcome;
  // A Stop that came as the answer completed did not stop anything: record what really happened.
  const stopped = run.stopRequested && result?.terminal_reason !== 'completed';
  const completed = result && !result.is_error && !outcome.thrown && result.terminal_reason === 'completed';
  const status = run.interruptedByShutdown
    ? 'interrupted'
    : run.timedOut || (run.budgetExceeded && !completed)
      ? 'failed'
      : stopped
      ? 'stopped'
      : result && !result.is_error && !outcome.thrown
        ? 'completed'
        : 'failed';
  const failure =
    status !== 'failed'
      ? null
      : run.timedOut
        ? timeLimitFailure(serverEnv().TETHER_RUN_TIME_LIMIT_SECONDS)
        : run.budgetExceeded
          ? { code: 'limit:budget', message: run.budgetExceeded }
          : describeFailure(outcome);
  // The answer was complete when the budget ran out: it stands, and the next message will be refused.
  if (status === 'completed' && run.budgetExceeded) run.emit({ type: 'notice', message: run.budgetExceeded });
  if (failure) run.emit({ type: 'error', code: failure.code, message: failure.message });
  if (status === 'stopped') run.emit({ type: 'notice', message: 'Stopped.' });
  if (status === 'interrupted') run.emit({ type: 'notice', message: 'The server is restarting; this run was cut off. Send a message to carry on.' });
  if (result?.session_id && !isMissingSession(outcome)) {
    // A resume can come back under a new session id: the mapping follows the latest.
    await writeSessionMapping(run.conversationId, result.session_id).first;
  }
  const changes = run.checkpoints?.changes() ?? [];
  // Shown when kept, or kept as soon as the database answers; not when refused (it is logged).
  if (changes.length > 0 && (await writeRunChanges({ conversationId: run.conversationId, runId: run.id, changes }).first) !== 'refused') {
    run.emit({ type: 'changes', runId: run.id, files: changes.map(({ path, patch, added, removed, restorable }) => ({ path, patch, added, removed, restorable })) });
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
  } as const;
  // Null when the run was no longer 'running' in the database: another instance, finding this one
  // silent, took it over (and announced it). While the database can't answer, viewers get `end`
  // now and the run is recorded (and announced) once it does; a refused write still announces.
  const record = writeRunEnd(run.conversationId, { id: run.id, status, costUsd: end.costUsd, inputTokens: end.inputTokens, outputTokens: end.outputTokens, durationMs, error: failure?.message ?? null });
  const recorded: Promise<boolean> = record.landed.then((row) => row !== null, () => true);
  // Known now unless it waits for the database (then announced once recorded).
  const recordedNow = (await record.first) === 'pending' ? undefined : await recorded;
  // Read before `end`: it closes the streams, and with them the visible viewers' count.
  const watched = run.hasVisibleViewer() || (await watchedElsewhere(run.id));
  run.emit({ type: 'end', ...end });
  registry.activeByConversation.delete(run.conversationId);
  void releaseRun(run.id);
  const announce = () => announceRunFinished({ conversationId: run.conversationId, status, model: run.model, mode: run.mode, error: failure?.message ?? null, answer: run.finalText(), watched });
  if (recordedNow) announce();
  if (recordedNow === undefined) void recorded.then((yes) => yes && announce());
  setTimeout(() => forget(run), FINISHED_RUN_RETENTION_MS).unref();
  logger.info('run finished', { runId: run.id, status, durationMs });
}

/** Last resort when recording a run's end itself threw: the run still ends, failed, for its viewers. */
function failStuckRun(run: Run, error: unknown) {
  logger.error('run could not finish cleanly', { runId: run.id, error });
  if (run.status !== 'running') return;
  run.emit({ type: 'error', code: 'internal', message: 'Something went wrong on our side while finishing this run.' });
  run.emit({ type: 'end', status: 'failed', model: run.model, mode: run.mode, costUsd: null, inputTokens: null, outputTokens: null, durationMs: Date.now() - run.startedAt.getTime() });
  registry.activeByConversation.delete(run.conversationId);
  void releaseRun(run.id);
  const durationMs = Date.now() - run.startedAt.getTime();
  void writeRunEnd(run.conversationId, { id: run.id, status: 'failed', costUsd: null, inputTokens: null, outputTokens: null, durationMs, error: 'finishing failed' }).landed.catch(() => {});
}

function forget(run: Run) {
  registry.runs.delete(run.id);
  void releaseRun(run.id);
  if (registry.activeByConversation.get(run.conversationId) === run) registry.activeByConversation.delete(run.conversationId);
}
