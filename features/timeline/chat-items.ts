import type { ApprovalItem } from '@/features/approvals';
import type { Attachment } from '@/features/attachments';
import type { ChangesItem } from '@/features/changes';
import type { FileChange, RunEvent, ToolStatus } from './types';
import type { PlanStep } from './vocabulary';

/**
 * What a conversation shows, in order. Built from the SDK transcript on the server (history)
 * and from live run events in the browser, with the same helpers so both render alike.
 */
export type ChatItem =
  /** `attachments`: what the message carried (absent: none); its text is empty when it was attachments alone. */
  | { kind: 'user'; id: string; text: string; attachments?: Attachment[] }
  | { kind: 'assistant'; id: string; text: string }
  /** `durationMs` is null while it streams, and in history when the transcript can't tell. */
  | { kind: 'thinking'; id: string; text: string; done: boolean; durationMs: number | null; redacted: boolean }
  /** `parentId`: a subagent's call, shown inside the card of the Agent call (`id`) that started it. */
  | { kind: 'tool'; id: string; name: string; target: string | null; status: ToolStatus; summary: string | null; lines: number | null; parentId?: string | null }
  | { kind: 'notice'; id: string; tone: 'info' | 'error'; text: string }
  /** The agent's plan as one call (or a run of calls with nothing between, `showPlan`) left it: the newest is the plan now. */
  | { kind: 'plan'; id: string; steps: PlanStep[] }
  | { kind: 'queue'; id: string; position: number }
  | { kind: 'retry'; id: string; text: string }
  | ApprovalItem
  | ChangesItem
  | {
      kind: 'run_end';
      id: string;
      status: string;
      model: string;
      mode: string;
      costUsd: number | null;
      inputTokens: number | null;
      outputTokens: number | null;
      durationMs: number | null;
      contextTokens: number | null;
      contextWindow: number | null;
    };

export function appendText(items: ChatItem[], id: string, text: string): ChatItem[] {
  const last = items.at(-1);
  if (last?.kind === 'assistant') return [...items.slice(0, -1), { ...last, text: last.text + text }];
  return [...items, { kind: 'assistant', id, text }];
}

/** Thinking text joins the open thinking item (one streaming now), else starts one. */
export function appendThinking(items: ChatItem[], id: string, text: string): ChatItem[] {
  const last = items.at(-1);
  if (last?.kind === 'thinking' && !last.done) return [...items.slice(0, -1), { ...last, text: last.text + text }];
  return [...items, { kind: 'thinking', id, text, done: false, durationMs: null, redacted: false }];
}

export function endThinking(items: ChatItem[], id: string, { durationMs, redacted }: { durationMs: number | null; redacted: boolean }): ChatItem[] {
  const last = items.at(-1);
  if (last?.kind === 'thinking' && !last.done) return [...items.slice(0, -1), { ...last, done: true, durationMs, redacted }];
  return [...items, { kind: 'thinking', id, text: '', done: true, durationMs, redacted }];
}

/**
 * A plan joins the conversation, or takes the place of the plan just before it when nothing was
 * said or done between (three TaskCreate calls in a row are one checklist, not three). It keeps
 * the first one's id, so a card the visitor opened stays open as it updates.
 */
export function showPlan(items: ChatItem[], { id, steps }: { id: string; steps: PlanStep[] }): ChatItem[] {
  const last = items.at(-1);
  if (last?.kind === 'plan') return [...items.slice(0, -1), { ...last, steps }];
  return [...items, { kind: 'plan', id, steps }];
}

export function resolveTool(items: ChatItem[], result: { toolId: string; status: ToolStatus; summary: string; lines: number }): ChatItem[] {
  const { toolId, status, summary, lines } = result;
  return items.map((item) => (item.kind === 'tool' && item.id === toolId ? { ...item, status, summary, lines } : item));
}

/**
 * Folds one live run event into the items; events must arrive in sequence order, each once.
 * Live items only ever append, so their position is a unique id across all runs folded in.
 */
export function foldRunEvent(items: ChatItem[], event: RunEvent): ChatItem[] {
  // A retry line stands only until whatever comes next: another retry, the answer, the end.
  if (items.at(-1)?.kind === 'retry') items = items.slice(0, -1);
  const id = `live-${items.length}`;
  switch (event.type) {
    case 'start':
      return [...items, { kind: 'user', id, text: event.prompt, ...(event.attachments?.length ? { attachments: event.attachments } : {}) }];
    case 'queue': {
      // One waiting line that updates in place, gone once the run starts.
      const waiting = items.filter((item) => item.kind !== 'queue');
      return event.position > 0 ? [...waiting, { kind: 'queue', id, position: event.position }] : waiting;
    }
    case 'text':
      return appendText(items, id, event.text);
    case 'thinking':
      return appendThinking(items, id, event.text);
    case 'thinking_end':
      return endThinking(items, id, event);
    case 'tool':
      return [
        ...items,
        { kind: 'tool', id: event.toolId, name: event.name, target: event.target, status: 'running', summary: null, lines: null, ...(event.parentToolId ? { parentId: event.parentToolId } : {}) },
      ];
    case 'tool_result':
      return resolveTool(items, event);
    case 'plan':
      return showPlan(items, { id: event.toolId, steps: event.steps });
    case 'notice':
      return [...items, { kind: 'notice', id, tone: 'info', text: event.message }];
    case 'retry':
      return [...items, { kind: 'retry', id, text: event.message }];
    case 'error':
      return [...items, { kind: 'notice', id, tone: 'error', text: event.message }];
    case 'approval':
      return [...items, { kind: 'approval', id: event.approvalId, tool: event.tool, summary: event.summary, detail: event.detail, expiresAt: event.expiresAt, outcome: null }];
    case 'approval_decided': {
      const { decision, scope, note, by, device } = event;
      return items.map((item) => (item.kind === 'approval' && item.id === event.approvalId ? { ...item, outcome: { decision, scope, note, by, device } } : item));
    }
    case 'changes':
      return [...items, changesItem(event.runId, event.files, null)];
    case 'end':
      return [...items, { kind: 'run_end', id, ...pickEnd(event) }];
  }
}

export function changesItem(runId: string, files: FileChange[], undoneAt: string | null): ChatItem {
  return { kind: 'changes', id: `changes-${runId}`, runId, files, undoneAt };
}

function pickEnd({ status, model, mode, costUsd, inputTokens, outputTokens, durationMs, contextTokens, contextWindow }: Extract<RunEvent, { type: 'end' }>) {
  return { status, model, mode, costUsd, inputTokens, outputTokens, durationMs, contextTokens: contextTokens ?? null, contextWindow: contextWindow ?? null };
}
