import 'server-only';
import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { DENIAL_PREFIX } from '@/features/agents/vocabulary';
import { USER_DENIAL_PREFIX } from '@/features/approvals/server';
import type { RunEventBody } from '../types';
import { summarize, toolTarget } from './tool-target';

type Block = { type: string; id?: string; name?: string; input?: unknown; tool_use_id?: string; content?: unknown; is_error?: boolean };

/**
 * SDK message → the run events the browser renders. Text comes from the stream deltas (live),
 * tool calls from the complete assistant blocks (their input is whole there), results from the
 * user messages that carry them. `system` and `result` messages are handled by the runner.
 */
export function normalizeMessage(message: SDKMessage, workspaceDir: string): RunEventBody[] {
  if ('parent_tool_use_id' in message && message.parent_tool_use_id) return []; // a subagent's inner turns
  switch (message.type) {
    case 'stream_event': {
      const event = message.event;
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') return [{ type: 'text', text: event.delta.text }];
      return [];
    }
    case 'assistant':
      return blocks(message.message.content)
        .filter((block) => block.type === 'tool_use')
        .map((block) => ({ type: 'tool', toolId: String(block.id), name: String(block.name), target: toolTarget(block.input, workspaceDir) }));
    case 'user':
      return blocks(message.message.content)
        .filter((block) => block.type === 'tool_result')
        .map((block) => toolResultEvent(block));
    default:
      return [];
  }
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
