import 'server-only';
import { getSessionMessages, type SessionMessage } from '@anthropic-ai/claude-agent-sdk';
import { appendText, changesItem, resolveTool, showPlan, type ChatItem } from '../chat-items';
import { markedAttachments } from './attachment-marker';
import { blocks, planEvent, toolResultEvent } from './normalize';
import { messagesBeforeCompaction } from './compacted';
import { subagentIdIn, subagentSteps } from './subagent-steps';
import { TaskPlan } from './task-plan';
import { toolTarget } from './tool-target';
import { COMPACTED_NOTICE, CONTINUATION_PROMPT, CONTINUED_NOTICE, contextTokensOf, contextWindowOf } from '../vocabulary';
import { transcriptSource } from '@/features/agents/server';
import { BUILT_IN_COMMANDS, WORKSPACE_COMMAND_MARK } from '@/features/agents/vocabulary';
import type { RunChanges } from '@/features/changes/server';

/** The model of the lines the CLI writes itself ("API Error: …"): left out, the run's error says it in plain words. */
const SYNTHETIC_MODEL = '<synthetic>';

/** A run as the runs table keeps it: its outcome shows after the last transcript entry it wrote. */
export type FinishedRun = {
  id: string;
  model: string;
  mode: string;
  status: string;
  finishedAt: string | null;
  costUsd: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  durationMs: number | null;
  error: string | null;
  /** A later message replaced this run's (Retry, Edit): its outcome leaves the history. */
  replaced?: boolean;
};

/**
 * A conversation's history, read from the SDK's own transcript (on this instance's disk, or in the
 * database where TETHER_TRANSCRIPTS keeps it), with each finished run's outcome (from our runs table) placed after the last
 * transcript entry it wrote. `before` leaves out what a run still in progress wrote, since the
 * browser replays that run from its events.
 */
export async function loadHistory({
  conversationId,
  sdkSessionId,
  workspaceDir,
  before,
  runs = [],
  changes = [],
  messages: preread,
}: {
  conversationId: string;
  sdkSessionId: string;
  /** The workspace folder as the agent saw it, to show its paths relative to it. */
  workspaceDir: string;
  before?: Date;
  runs?: FinishedRun[];
  /** What runs changed: each shows as a Changes section before its run's end. */
  changes?: RunChanges[];
  /** The session's messages when the caller has read them already (readSession). */
  messages?: SessionMessage[];
}): Promise<ChatItem[]> {
  const changesOf = new Map(changes.map((change) => [change.runId, changesItem(change.runId, change.files, change.undoneAt)]));
  const messages = preread ?? (await readSession({ conversationId, sdkSessionId, workspaceDir }));
  const firstTimestamp = (messages[0] as { timestamp?: string } | undefined)?.timestamp;
  // Runs of an earlier, expired session have no entries here: leave them out.
  const pending = runs.filter((run) => run.finishedAt && (!firstTimestamp || run.finishedAt >= firstTimestamp));
  let items: ChatItem[] = [];
  const flushRunsFinishedBy = (time: string | undefined) => {
    while (pending[0] && (time === undefined || pending[0].finishedAt! <= time)) {
      const run = pending.shift()!;
      const changed = changesOf.get(run.id);
      const failure: ChatItem[] = run.error ? [{ kind: 'notice', id: `error-${run.id}`, tone: 'error', text: run.error }] : [];
      // A replaced run's files stay as it left them, so its Changes (and their Undo) stay too.
      items = run.replaced ? [...items, ...(changed ? [changed] : [])] : [...items, ...failure, ...(changed ? [changed] : []), runEndItem(run, contextTokens)];
    }
  };
  /** Agent calls (by tool id) and the subagent each started: their steps are read after. */
  const agents = new Map<string, string>();
  let previousTimestamp: string | undefined;
  /** How full the context was at the latest answer so far (each run's end shows it as of then). */
  let contextTokens: number | null = null;
  /** The CLI's task list, built from the same calls in the same order as the live runs built it. */
  const tasks = new TaskPlan();
  for (const entry of messages) {
    const timestamp = (entry as { timestamp?: string }).timestamp;
    const sincePrevious = timestamp && previousTimestamp ? Date.parse(timestamp) - Date.parse(previousTimestamp) : null;
    previousTimestamp = timestamp;
    if (before && timestamp && new Date(timestamp) >= before) break;
    flushRunsFinishedBy(timestamp);
    const content = (entry.message as { content?: unknown }).content;
    if ((entry as { isCompactSummary?: boolean }).isCompactSummary) {
      items = [...items, { kind: 'notice', id: entry.uuid, tone: 'info', text: COMPACTED_NOTICE }];
      continue;
    }
    if (entry.type === 'assistant') contextTokens = contextTokensOf((entry.message as { usage?: Parameters<typeof contextTokensOf>[0] }).usage) ?? contextTokens;
    if (entry.type === 'user') {
      if (typeof content === 'string') {
        items = addUserText(items, entry.uuid, content);
        continue;
      }
      const attachments = markedAttachments(content);
      if (attachments) {
        // One item for the message, with its attachments: the blocks the files became are not the visitor's words.
        const said = blocks(content).flatMap((block) => (block.type === 'text' ? [visitorText(String(block.text ?? ''))] : []));
        items = [...items, { kind: 'user', id: entry.uuid, text: said.filter((text) => text !== null).join('\n\n'), attachments }];
        continue;
      }
      for (const block of blocks(content)) {
        if (block.type === 'text') items = addUserText(items, entry.uuid, String((block as { text?: string }).text ?? ''));
        if (block.type === 'tool_result') {
          items = resolveTool(items, toolResultEvent(block));
          const plan = tasks.result(block);
          if (plan) items = showPlan(items, { id: plan.toolId, steps: plan.steps });
          const subagent = subagentIdIn(block.content);
          if (subagent) agents.set(String(block.tool_use_id), subagent);
        }
      }
    } else if (entry.type === 'assistant' && (entry.message as { model?: string }).model !== SYNTHETIC_MODEL) {
      for (const block of blocks(content)) {
        if (block.type === 'text') items = appendText(items, entry.uuid, String((block as { text?: string }).text ?? ''));
        // The CLI writes each block as it ends: a thinking block took about the time since the entry before it.
        if (block.type === 'thinking' || block.type === 'redacted_thinking') {
          const redacted = block.type === 'redacted_thinking';
          items = [...items, { kind: 'thinking', id: `${entry.uuid}-thinking`, text: redacted ? '' : String(block.thinking ?? ''), done: true, durationMs: sincePrevious, redacted }];
        }
        const plan = block.type === 'tool_use' ? planEvent(block) : null;
        if (plan) items = showPlan(items, { id: plan.toolId, steps: plan.steps });
        else if (block.type === 'tool_use' && !tasks.call(block)) {
          items = [...items, { kind: 'tool', id: String(block.id), name: String(block.name), target: toolTarget(block.input, workspaceDir), status: 'running', summary: null, lines: null }];
        }
      }
    }
  }
  flushRunsFinishedBy(undefined);
  // (Their position doesn't matter: each shows inside its Agent call's card.)
  if (agents.size > 0) items = [...items, ...(await subagentSteps({ conversationId, sdkSessionId, workspaceDir, agents }))];
  // A tool call with no result in the transcript never finished (the run was stopped or cut off).
  return items.map((item) => (item.kind === 'tool' && item.status === 'running' ? { ...item, status: 'error', summary: 'Did not finish.' } : item));
}

/** Every message of the session, oldest first: what the SDK reads, and what came before its compactions. */
export async function readSession({ conversationId, sdkSessionId, workspaceDir }: { conversationId: string; sdkSessionId: string; workspaceDir: string }): Promise<SessionMessage[]> {
  const latest = await getSessionMessages(sdkSessionId, transcriptSource(conversationId, workspaceDir));
  return [...(await messagesBeforeCompaction({ conversationId, sdkSessionId, workspaceDir, messages: latest })), ...latest];
}

/**
 * The plan a live run starts from: the CLI's task list as the session's transcript left it, up to
 * `upTo` (the entry a message replacing the last one resumes at: what followed is left behind).
 */
export async function sessionTaskPlan({ upTo, ...session }: { conversationId: string; sdkSessionId: string; workspaceDir: string; upTo?: string }): Promise<TaskPlan> {
  const messages = await readSession(session);
  const end = upTo === undefined ? -1 : messages.findIndex((entry) => entry.uuid === upTo);
  return TaskPlan.ofSession(end === -1 ? messages : messages.slice(0, end + 1));
}

function runEndItem(run: FinishedRun, contextTokens: number | null): ChatItem {
  const { id, status, model, mode, costUsd, inputTokens, outputTokens, durationMs } = run;
  return { kind: 'run_end', id, status, model, mode, costUsd, inputTokens, outputTokens, durationMs, contextTokens, contextWindow: contextTokens === null ? null : contextWindowOf(model) };
}

function addUserText(items: ChatItem[], id: string, text: string): ChatItem[] {
  if (text === CONTINUATION_PROMPT) return [...items, { kind: 'notice', id, tone: 'info', text: CONTINUED_NOTICE }];
  const said = visitorText(text);
  if (said === null) return items;
  // The CLI writes /compact's line after the summary it made: it goes before it, as it was typed.
  const last = items.at(-1);
  if (said.startsWith('/compact') && last?.kind === 'notice' && last.text === COMPACTED_NOTICE) return [...items.slice(0, -1), { kind: 'user', id, text: said }, last];
  return [...items, { kind: 'user', id, text: said }];
}

/**
 * What the visitor said, of user text in a transcript; null when it is not theirs: the CLI adds
 * system reminders, command output and interruption markers as user text (the run's outcome shows
 * how it ended), and a continued run's word to the agent is ours. A command (the CLI's, or a
 * workspace's that Tether headed the same way) is shown as it was typed: `/name arguments`.
 */
export function visitorText(text: string): string | null {
  const command = text.startsWith('<command-') ? COMMAND_NAME.exec(text)?.[1] : undefined;
  if (command) {
    const typed = text.includes(WORKSPACE_COMMAND_MARK) || BUILT_IN_COMMANDS.some(({ name }) => `/${name}` === command);
    const args = COMMAND_ARGS.exec(text)?.[1]?.trim();
    return !typed ? null : args ? `${command} ${args}` : command;
  }
  const theirs = Boolean(text.trim()) && !text.startsWith('<') && !text.startsWith('[Request interrupted') && text !== CONTINUATION_PROMPT;
  return theirs ? text : null;
}
const COMMAND_NAME = /<command-name>(\/[^<\s]+)<\/command-name>/;
const COMMAND_ARGS = /<command-args>([\s\S]*?)<\/command-args>/;
