import 'server-only';
import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { DENIAL_PREFIX } from '@/features/agents/vocabulary';
import { USER_DENIAL_PREFIX } from '@/features/approvals/server';
import type { RunEventBody } from '../types';
import { COMPACTED_NOTICE, contextTokensOf, type PlanStep } from '../vocabulary';
import { TaskPlan } from './task-plan';
import { summarize, toolTarget } from './tool-target';

type Block = { type: string; text?: string; thinking?: string; id?: string; name?: string; input?: unknown; tool_use_id?: string; content?: unknown; is_error?: boolean };

/**
 * SDK messages → the run events the browser renders, one normalizer per turn (it times the
 * thinking blocks it sees stream). Text and thinking come from the stream deltas (live), tool
 * calls from the complete assistant blocks (their input is whole there), results from the user
 * messages that carry them. `system` and `result` messages are handled by the runner. The plan
 * from the CLI's task tools goes on from the session's earlier runs: pass `tasks` as the
 * transcript left it (`sessionTaskPlan`).
 */
export class MessageNormalizer {
  /** The thinking blocks streaming now, by their index in the message: when each began. */
  private readonly thinking = new Map<number, { startedAt: number; redacted: boolean }>();
  /** How full the context was at the agent's latest answer (null until one came). */
  contextTokens: number | null = null;

  constructor(
    private readonly workspaceDir: string,
    private readonly tasks: TaskPlan = new TaskPlan(),
  ) {}

  events(message: SDKMessage): RunEventBody[] {
    const parent = 'parent_tool_use_id' in message ? message.parent_tool_use_id : null;
    if (parent) return subagentEvents(message, parent, this.workspaceDir); // a subagent's own turns (its task calls are its own: cards)
    if (message.type === 'stream_event') return this.streamEvents(message.event);
    if (message.type === 'assistant') this.contextTokens = contextTokensOf(message.message.usage) ?? this.contextTokens;
    if (message.type === 'system' && message.subtype === 'compact_boundary') return [{ type: 'notice', message: COMPACTED_NOTICE }];
    // A command the CLI answers itself (/context) comes as a whole answer, not streamed: its text.
    if (message.type === 'assistant' && 'local_command_source' in message) {
      return blocks(message.message.content).flatMap((block): RunEventBody[] => (block.type === 'text' ? [{ type: 'text', text: String((block as { text?: string }).text ?? '') }] : []));
    }
    return completeMessageEvents(message, this.workspaceDir, this.tasks);
  }

  private streamEvents(event: Extract<SDKMessage, { type: 'stream_event' }>['event']): RunEventBody[] {
    if (event.type === 'content_block_start' && (event.content_block.type === 'thinking' || event.content_block.type === 'redacted_thinking')) {
      const redacted = event.content_block.type === 'redacted_thinking';
      this.thinking.set(event.index, { startedAt: Date.now(), redacted });
      return redacted ? [] : [{ type: 'thinking', text: '' }]; // "Thinking…" shows before the first delta
    }
    if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') return [{ type: 'text', text: event.delta.text }];
    if (event.type === 'content_block_delta' && event.delta.type === 'thinking_delta') return [{ type: 'thinking', text: event.delta.thinking }];
    if (event.type !== 'content_block_stop') return [];
    const block = this.thinking.get(event.index);
    if (!block) return [];
    this.thinking.delete(event.index);
    return [{ type: 'thinking_end', durationMs: Date.now() - block.startedAt, redacted: block.redacted }];
  }
}

/** Of a subagent's turns, its tool calls (nested in its card) and their results; its words reach the agent as its result. */
function subagentEvents(message: SDKMessage, parentToolId: string, workspaceDir: string): RunEventBody[] {
  if (message.type !== 'assistant' && message.type !== 'user') return [];
  return completeMessageEvents(message, workspaceDir, null).flatMap((event): RunEventBody[] => (event.type === 'tool' ? [{ ...event, parentToolId }] : event.type === 'tool_result' ? [event] : []));
}

function completeMessageEvents(message: SDKMessage, workspaceDir: string, tasks: TaskPlan | null): RunEventBody[] {
  switch (message.type) {
    case 'assistant':
      return blocks(message.message.content)
        .filter((block) => block.type === 'tool_use')
        .flatMap((block): RunEventBody[] => {
          const plan = planEvent(block);
          if (plan) return [plan];
          // A task call shows in the plan once its result says what it did.
          if (tasks?.call(block)) return [];
          return [{ type: 'tool', toolId: String(block.id), name: String(block.name), target: toolTarget(block.input, workspaceDir) }];
        });
    case 'user':
      return blocks(message.message.content)
        .filter((block) => block.type === 'tool_result')
        .flatMap((block): RunEventBody[] => {
          const plan = tasks?.result(block);
          return plan ? [toolResultEvent(block), plan] : [toolResultEvent(block)];
        });
    default:
      return [];
  }
}

/**
 * A TodoWrite call as the plan it sets; null for any other tool call (or a TodoWrite whose input is
 * not a checklist). This CLI plans with its task tools (TaskPlan); transcripts of earlier versions plan so.
 */
export function planEvent(block: Block): Extract<RunEventBody, { type: 'plan' }> | null {
  if (block.name !== 'TodoWrite') return null;
  const todos = (block.input as { todos?: unknown } | undefined)?.todos;
  if (!Array.isArray(todos)) return null;
  const steps = todos.map((todo: { content?: unknown; status?: unknown; activeForm?: unknown }): PlanStep => ({
    content: String(todo.content ?? ''),
    status: todo.status === 'completed' || todo.status === 'in_progress' ? todo.status : 'pending',
    activeForm: typeof todo.activeForm === 'string' ? todo.activeForm : null,
  }));
  return { type: 'plan', toolId: String(block.id), steps };
}

// A PreToolUse hook's denial reaches the model as "PreToolUse:Read hook error: <reason>".
const HOOK_DENIAL = /^PreToolUse:\S+ hook error: /;

export function toolResultEvent(block: Block): Extract<RunEventBody, { type: 'tool_result' }> {
  const { text, lines } = summarize(block.content);
  const summary = text.replace(HOOK_DENIAL, '');
  const status = summary.startsWith(DENIAL_PREFIX) || summary.startsWith(USER_DENIAL_PREFIX) ? 'denied' : block.is_error ? 'error' : 'ok';
  return { type: 'tool_result', toolId: String(block.tool_use_id), status, summary, lines };
}

export function blocks(content: unknown): Block[] {
  return Array.isArray(content) ? (content as Block[]) : [];
}
