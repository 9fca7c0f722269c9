import 'server-only';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { agentHome } from '@/features/sandbox/server';
import { counter } from '@/features/metrics/server';
import { dataDir, dataPath } from '@/lib/data-dir';
import { serverEnv } from '@/lib/env';
import { logger } from '@/lib/logger';
import { dropProcess, hasProcess, holdSpare, idleSpares, roomForSpare, takeSpare } from './agent-pool';
import type { AgentProcess } from './agent-process';
import { isProcessAlive } from '@/lib/process-alive';

/**
 * Pre-warmed agents: a new conversation's first message would pay a CLI start in a new sandbox
 * (~0.5 s to its first token, against ~0.06 s on a warm process), so each workspace that had a
 * run in the last TETHER_PREWARM_IDLE_MINUTES keeps TETHER_PREWARMED_AGENTS spares started ahead,
 * for its default model and mode, in slots no run wants (a run that needs one ends a spare first).
 *
 * A spare belongs to no conversation while it waits: its sandbox shows it a home of its own,
 * `<data>/agent-spares/<pid>/<id>`, empty but for what the CLI writes as it starts. The first
 * message of a new conversation adopts it by renaming that folder to the conversation's home,
 * `<data>/agents/<conversation>`: the sandbox's bind mount follows the folder, so the CLI goes on
 * writing the transcript there. A rename onto a home that already holds something fails, and the
 * message starts cold instead; an adopted process never returns to the spares. So a spare's files
 * and transcript are only ever its one conversation's.
 */

/** How to start a spare for a workspace, and what it was started with (a message asking for other settings starts cold). */
export type SpareMaker = { model: string; key: string; start: (spare: { id: string; home: string }) => AgentProcess };

type Outcome = 'hit' | 'miss' | 'fallback';
type Active = { maker: SpareMaker; idleTimer: NodeJS.Timeout };
type State = {
  active: Map<string, Active>;
  made: WeakMap<AgentProcess, { workspace: string; model: string }>;
  /** Spares whose CLI has answered the SDK's initialize: inside its sandbox, its home mounted. */
  ready: WeakSet<AgentProcess>;
  folder?: string;
  outcomes: Record<Outcome, number>;
};

const store = globalThis as { tetherAgentSpares?: State };
const state: State = (store.tetherAgentSpares ??= { active: new Map(), made: new WeakMap(), ready: new WeakSet(), outcomes: { hit: 0, miss: 0, fallback: 0 } });

const claims = counter({
  name: 'tether_agent_prewarm_total',
  help: "New conversations' first messages: hit (a pre-warmed agent took it), miss (none was ready in its workspace), fallback (none for its model or mode, or its home was taken: a cold start).",
  labelNames: ['outcome'],
});

const perWorkspace = () => serverEnv().TETHER_PREWARMED_AGENTS;

/**
 * A run in `workspace` ended: it counts as active for TETHER_PREWARM_IDLE_MINUTES from now, and
 * its spares are topped up (now, while no turn of its own competes for the CPU).
 */
export function noteActivity(workspace: string, maker: SpareMaker): void {
  if (perWorkspace() === 0) return;
  const known = state.active.get(workspace);
  if (known) clearTimeout(known.idleTimer);
  const idleTimer = setTimeout(() => retire(workspace), serverEnv().TETHER_PREWARM_IDLE_MINUTES * 60_000);
  idleTimer.unref();
  // Re-inserted: the map's order is the order of activity, the latest last.
  state.active.delete(workspace);
  state.active.set(workspace, { maker, idleTimer });
  topUp();
}

/**
 * The first message of a new conversation: a spare of its workspace started with its model and
 * settings (`key`), now its own and busy with it, or null (start one cold). Counted and logged.
 */
export function claimSpare({ conversationId, workspace, model, key }: { conversationId: string; workspace: string; model: string; key: string }): AgentProcess | null {
  if (perWorkspace() === 0 || hasProcess(conversationId)) return null;
  // One still starting is not taken: until bubblewrap has mounted its home, a rename would take the home from under it.
  const spares = sparesOf(workspace).filter((process) => state.ready.has(process));
  const spare = spares.find((process) => process.key === key && state.made.get(process)?.model === model);
  if (!spare) return count(spares.length === 0 ? 'miss' : 'fallback', { workspace, conversationId, reason: spares.length === 0 ? 'no spare ready' : 'other model or mode' });
  try {
    mkdirSync(dataPath('agents'), { recursive: true });
    // Atomic, and refused onto a home with anything in it: nothing of another's is ever joined.
    renameSync(homeOf(spare), agentHome(conversationId));
  } catch (error) {
    return count('fallback', { workspace, conversationId, reason: `its home could not be taken over (${(error as NodeJS.ErrnoException).code ?? String(error)})` });
  }
  count('hit', { workspace, conversationId });
  return takeSpare(spare, conversationId);
}

/** Starts spares where an active workspace has fewer than it should, in free slots, latest active first. */
function topUp(): void {
  for (const [workspace, { maker }] of [...state.active].reverse()) {
    // Settings changed since (the workspace's default or its config): those spares would never be taken.
    for (const stale of sparesOf(workspace).filter((process) => process.key !== maker.key || state.made.get(process)?.model !== maker.model)) dropProcess(stale);
    for (let have = sparesOf(workspace).length; have < perWorkspace() && roomForSpare(); have++) start(workspace, maker);
  }
}

function start(workspace: string, maker: SpareMaker): void {
  const id = `spare-${randomUUID()}`;
  const home = dataDir('agent-spares', sparesFolder(), id);
  let process: AgentProcess;
  try {
    process = maker.start({ id, home });
  } catch (error) {
    rmSync(home, { recursive: true, force: true });
    return void logger.warn('a pre-warmed agent could not be started', { workspace, error: String(error) });
  }
  process.spare = true;
  state.made.set(process, { workspace, model: maker.model });
  holdSpare(process);
  const started = Date.now();
  process.query.initializationResult().then(
    () => {
      state.ready.add(process);
      logger.debug('pre-warmed agent ready', { workspace, spare: id, ms: Date.now() - started });
    },
    () => {}, // it died starting: sparesOf drops it
  );
  // Once it has exited: an adopted spare's home has moved to its conversation, so this removes only a spare nobody took.
  void process.ended.then(() => rmSync(home, { recursive: true, force: true }));
}

/** The workspace was idle for TETHER_PREWARM_IDLE_MINUTES: its spares end. */
function retire(workspace: string): void {
  state.active.delete(workspace);
  const spares = sparesOf(workspace);
  for (const spare of spares) dropProcess(spare);
  if (spares.length > 0) logger.debug('ended the pre-warmed agents of an idle workspace', { workspace, count: spares.length });
}

/** The workspace's live spares (one that died while it waited is ended and left out). */
function sparesOf(workspace: string): AgentProcess[] {
  return idleSpares().filter((process) => {
    if (state.made.get(process)?.workspace !== workspace) return false;
    if (!process.alive) dropProcess(process);
    return process.alive;
  });
}

function homeOf(process: AgentProcess): string {
  return dataPath('agent-spares', sparesFolder(), process.conversationId);
}

/**
 * This server process's folder of spare homes, `<pid>`: another server on the same data root has
 * its own. Folders of processes that are gone (a crash) are removed the first time.
 */
function sparesFolder(): string {
  if (state.folder) return state.folder;
  const root = dataPath('agent-spares');
  for (const name of existsSync(root) ? readdirSync(root) : []) if (!isProcessAlive(Number(name))) rmSync(path.join(root, name), { recursive: true, force: true });
  return (state.folder = String(process.pid));
}

function count(outcome: Outcome, details: Record<string, string>): null {
  state.outcomes[outcome] += 1;
  claims.inc({ outcome });
  logger.info(`new conversation: pre-warmed agent ${outcome}`, { ...details, ...state.outcomes });
  return null;
}

/** Tests: how many spares each workspace has ready to take now. */
export function spareCounts(): Record<string, number> {
  const names = new Set(idleSpares().map((process) => state.made.get(process)?.workspace ?? '?'));
  return Object.fromEntries([...names].map((name) => [name, sparesOf(name).filter((process) => state.ready.has(process)).length]));
}
