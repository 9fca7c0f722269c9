import 'server-only';
import { AppError } from '@/lib/errors';
import { serverEnv } from '@/lib/env';
import { RUN_RETRY_AFTER_SECONDS } from '@/lib/http';
import { logger } from '@/lib/logger';
import { gauge } from '@/features/metrics/server';
import type { AgentProcess } from './agent-process';

/**
 * The instance's agent processes. Each is a CLI child (~200 MB, ~0.5–0.8 CPU-s to start), so
 * at most TETHER_MAX_AGENT_PROCESSES exist at once — busy ones and idle warm ones alike. A run
 * that finds no free slot takes the least recently used idle process's slot, else waits in a
 * FIFO queue (its position reported as it moves), else — queue full — is refused with 429.
 */

type Waiter = { spawn: () => AgentProcess; onPosition: (position: number) => void; grant: (process: AgentProcess) => void; cancel: () => void };
type Pool = { processes: Set<AgentProcess>; waiting: Waiter[] };

const store = globalThis as { tetherAgentPool?: Pool };
const pool = (store.tetherAgentPool ??= { processes: new Set(), waiting: [] });

const limits = () => {
  const env = serverEnv();
  return { maxProcesses: env.TETHER_MAX_AGENT_PROCESSES, queueLimit: env.TETHER_RUN_QUEUE_LIMIT, idleMs: env.TETHER_WARM_IDLE_SECONDS * 1000 };
};

export function poolStats() {
  const processes = [...pool.processes];
  return { processes: processes.length, busy: processes.filter((process) => process.busy).length, waiting: pool.waiting.length };
}

// Read from the pool at each scrape: nothing to keep in step as processes come and go.
gauge({
  name: 'tether_agent_processes',
  help: 'Agent (CLI) processes on this instance: busy with a run, warm (idle, kept for a follow-up), or pooled (pre-warmed for a new conversation).',
  labelNames: ['state'],
  collect() {
    const { processes, busy } = poolStats();
    const pooled = idleSpares().length;
    this.set({ state: 'busy' }, busy);
    this.set({ state: 'warm' }, processes - busy - pooled);
    this.set({ state: 'pooled' }, pooled);
  },
});

/** Refuses at once (before the request is answered) when the queue is already full. */
export function assertCanQueue(): void {
  const { maxProcesses, queueLimit } = limits();
  const idle = [...pool.processes].some((process) => !process.busy);
  if (pool.processes.size < maxProcesses || idle || pool.waiting.length < queueLimit) return;
  throw new AppError('rate_limited:capacity', `All agents on this server are busy and ${queueLimit} messages are already waiting. Try again shortly.`, {
    retryAfterSeconds: RUN_RETRY_AFTER_SECONDS,
  });
}

/**
 * A process for the conversation's next turn: its warm one if it was started with the same
 * `key`, else a new one from `spawn` once a slot is free. Resolves null when cancelled while waiting.
 */
export async function acquireProcess({
  conversationId,
  key,
  spawn,
  onPosition,
  signal,
  fresh = false,
}: {
  conversationId: string;
  key: string;
  /** A new process even when a warm one would do (one resumed at an earlier point of its session). */
  fresh?: boolean;
  spawn: () => AgentProcess;
  onPosition: (position: number) => void;
  signal: AbortSignal;
}): Promise<AgentProcess | null> {
  const warm = [...pool.processes].find((process) => process.conversationId === conversationId && !process.busy);
  if (warm) {
    clearTimeout(warm.idleTimer);
    // One that died while idle (killed, out of memory) is replaced: the next resumes from the transcript.
    if (warm.key === key && warm.alive && !fresh) return claim(warm);
    discard(warm);
  }
  if (hasFreeSlot()) return start(spawn);
  return waitForSlot(spawn, onPosition, signal);
}

/** Swaps a process for a fresh one in the same slot (a retry must not queue again). */
export function replaceProcess(old: AgentProcess, spawn: () => AgentProcess): AgentProcess {
  discard(old);
  return start(spawn);
}

/** After a turn: keep the process warm for follow-ups (if it is healthy) or end it; then serve the queue. */
export function releaseProcess(process: AgentProcess, { keepWarm }: { keepWarm: boolean }): void {
  process.busy = false;
  const { idleMs } = limits();
  if (keepWarm && idleMs > 0 && pool.processes.has(process)) {
    process.idleTimer = setTimeout(() => {
      logger.debug('reclaiming idle agent process', { conversationId: process.conversationId });
      discard(process);
      serveQueue();
    }, idleMs);
    process.idleTimer.unref();
  } else {
    discard(process);
  }
  serveQueue();
}

/**
 * Kills the conversation's processes, busy or warm (it is being deleted: nothing of it may go on
 * writing), and resolves once they have exited or `timeoutMs` passed.
 */
export async function killProcessesOf(conversationId: string, timeoutMs: number): Promise<void> {
  const processes = [...pool.processes].filter((process) => process.conversationId === conversationId);
  for (const process of processes) process.kill();
  await Promise.all(processes.map((process) => process.exited(timeoutMs)));
  for (const process of processes) if (!process.busy) discard(process);
  serveQueue();
}

/** True while the conversation has an agent process, busy or warm. */
export function hasProcess(conversationId: string): boolean {
  return [...pool.processes].some((process) => process.conversationId === conversationId);
}

/** At shutdown: end every process and turn every waiting run away. */
export function closeAllProcesses(): void {
  for (const waiter of pool.waiting.splice(0)) waiter.cancel();
  for (const process of pool.processes) discard(process);
}

/** The pre-warmed spares waiting for a new conversation (agent-spares.ts keeps them). */
export function idleSpares(): AgentProcess[] {
  return [...pool.processes].filter((process) => process.spare && !process.busy);
}

/** A slot for a spare: one no process holds and no run waits for (spares never make a run wait). */
export function roomForSpare(): boolean {
  return pool.processes.size < limits().maxProcesses && pool.waiting.length === 0;
}

/** Puts a just-started spare in its slot, idle until a conversation adopts it (see roomForSpare). */
export function holdSpare(process: AgentProcess): void {
  pool.processes.add(process);
}

/** A spare, adopted: it is its conversation's process now, busy with that conversation's first turn. */
export function takeSpare(process: AgentProcess, conversationId: string): AgentProcess {
  process.adopt(conversationId);
  return claim(process);
}

/** Ends an idle process (a spare nobody needs) and gives its slot to whoever waits. */
export function dropProcess(process: AgentProcess): void {
  discard(process);
  serveQueue();
}

function hasFreeSlot(): boolean {
  if (pool.processes.size < limits().maxProcesses) return true;
  // Busy work beats idle warmth: end a spare first (it holds no conversation's session), else the
  // least recently used idle process.
  const idle = idleSpares()[0] ?? [...pool.processes].find((process) => !process.busy);
  if (!idle) return false;
  discard(idle);
  return true;
}

function waitForSlot(spawn: () => AgentProcess, onPosition: (position: number) => void, signal: AbortSignal): Promise<AgentProcess | null> {
  return new Promise((resolve) => {
    const waiter: Waiter = { spawn, onPosition, grant: resolve, cancel: () => resolve(null) };
    pool.waiting.push(waiter);
    onPosition(pool.waiting.length);
    signal.addEventListener('abort', () => {
      const index = pool.waiting.indexOf(waiter);
      if (index === -1) return;
      pool.waiting.splice(index, 1);
      waiter.cancel();
      reportPositions();
    });
  });
}

function serveQueue(): void {
  let moved = false;
  while (pool.waiting.length > 0 && hasFreeSlot()) {
    const next = pool.waiting.shift()!;
    // Started here, not by the waiter later: the slot is taken before anyone else can ask.
    next.grant(start(next.spawn));
    moved = true;
  }
  if (moved) reportPositions();
}

function reportPositions(): void {
  pool.waiting.forEach((waiter, index) => waiter.onPosition(index + 1));
}

function start(spawn: () => AgentProcess): AgentProcess {
  const process = spawn();
  process.busy = true;
  pool.processes.add(process);
  return process;
}

function claim(process: AgentProcess): AgentProcess {
  process.busy = true;
  return process;
}

function discard(process: AgentProcess): void {
  pool.processes.delete(process);
  process.close();
}
