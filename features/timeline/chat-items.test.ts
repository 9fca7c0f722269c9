import { describe, expect, it } from 'vitest';
import { DENIAL_PREFIX } from '@/features/agents/vocabulary';
import { foldRunEvent, type ChatItem } from './chat-items';
import type { RunEventBody } from '../runs/types';

function fold(bodies: RunEventBody[], items: ChatItem[] = []): ChatItem[] {
  return bodies.reduce((acc, body, index) => foldRunEvent(acc, { ...body, seq: index + 1 }), items);
}

const start: RunEventBody = { type: 'start', runId: 'run-1', conversationId: 'c-1', model: 'demo', mode: 'plan', prompt: 'Read /etc/passwd' };
const end: RunEventBody = {
  type: 'end',
  status: 'completed',
  model: 'demo',
  mode: 'plan',
  costUsd: 0.0123,
  inputTokens: 120,
  outputTokens: 45,
  durationMs: 900,
};

describe('foldRunEvent', () => {
  it('builds the conversation from a run with a denied tool', () => {
    const items = fold([
      start,
      { type: 'text', text: 'Let me ' },
      { type: 'text', text: 'look.' },
      { type: 'tool', toolId: 'toolu_1', name: 'Read', target: '/etc/passwd' },
      { type: 'tool_result', toolId: 'toolu_1', status: 'denied', summary: `${DENIAL_PREFIX} /etc/passwd is outside this workspace.`, lines: 1 },
      { type: 'text', text: 'I cannot read that ' },
      { type: 'text', text: 'file.' },
      end,
    ]);
    expect(items).toEqual([
      { kind: 'user', id: 'live-0', text: 'Read /etc/passwd' },
      { kind: 'assistant', id: 'live-1', text: 'Let me look.' },
      { kind: 'tool', id: 'toolu_1', name: 'Read', target: '/etc/passwd', status: 'denied', summary: `${DENIAL_PREFIX} /etc/passwd is outside this workspace.`, lines: 1 },
      { kind: 'assistant', id: 'live-3', text: 'I cannot read that file.' },
      {
        kind: 'run_end',
        id: 'live-4',
        status: 'completed',
        model: 'demo',
        mode: 'plan',
        costUsd: 0.0123,
        inputTokens: 120,
        outputTokens: 45,
        durationMs: 900,
        contextTokens: null,
        contextWindow: null,
      },
    ]);
  });

  it('shows a tool as running until its result arrives, and resolves only that tool', () => {
    const running = fold([start, { type: 'tool', toolId: 'a', name: 'Glob', target: '**/*.md' }, { type: 'tool', toolId: 'b', name: 'Read', target: 'README.md' }]);
    expect(running.slice(1).map((item) => item.kind === 'tool' && [item.status, item.summary])).toEqual([
      ['running', null],
      ['running', null],
    ]);

    const resolved = foldRunEvent(running, { type: 'tool_result', toolId: 'b', status: 'ok', summary: '# Title', lines: 12, seq: 4 });
    expect(resolved[1]).toBe(running[1]);
    expect(resolved[2]).toMatchObject({ id: 'b', status: 'ok', summary: '# Title', lines: 12 });
  });

  it('ignores a result for an unknown tool', () => {
    const items = fold([start, { type: 'text', text: 'hi' }]);
    expect(foldRunEvent(items, { type: 'tool_result', toolId: 'nope', status: 'error', summary: 'x', lines: 1, seq: 3 })).toEqual(items);
  });

  it('adds notices and errors as separate items that end the assistant text', () => {
    const items = fold([
      start,
      { type: 'text', text: 'Working' },
      { type: 'notice', message: 'The model is busy, retrying.' },
      { type: 'text', text: 'Done' },
      { type: 'error', code: 'model_unavailable', message: 'The model did not answer.' },
      { ...end, status: 'failed', costUsd: null, inputTokens: null, outputTokens: null },
    ]);
    expect(items.map((item) => item.kind)).toEqual(['user', 'assistant', 'notice', 'assistant', 'notice', 'run_end']);
    expect(items[2]).toEqual({ kind: 'notice', id: 'live-2', tone: 'info', text: 'The model is busy, retrying.' });
    expect(items[4]).toEqual({ kind: 'notice', id: 'live-4', tone: 'error', text: 'The model did not answer.' });
    expect(items[5]).toMatchObject({ status: 'failed', costUsd: null, inputTokens: null });
  });

  it('does not change the items it is given', () => {
    const before = fold([start, { type: 'text', text: 'a' }]);
    const snapshot = structuredClone(before);
    fold(
      [
        { type: 'text', text: 'b' },
        { type: 'tool', toolId: 't', name: 'Read', target: null },
      ],
      before,
    );
    expect(before).toEqual(snapshot);
  });

  it('continues a conversation that already has items', () => {
    const first = fold([start, { type: 'text', text: 'one' }, end]);
    const second = fold(
      [
        { ...start, runId: 'run-2', prompt: 'again' },
        { type: 'text', text: 'two' },
      ],
      first,
    );
    expect(second.map((item) => item.kind)).toEqual(['user', 'assistant', 'run_end', 'user', 'assistant']);
    expect(second.at(-1)).toMatchObject({ text: 'two' });
  });

  // BUG: ids come from the run's own seq, so a second run in the same open conversation
  // (use-chat keeps folding into the same live list) repeats `text:2`, `end:N`… as React keys.
  it('gives every item a unique id across runs in one conversation', () => {
    const first = fold([start, { type: 'text', text: 'one' }, end]);
    const second = fold([{ ...start, runId: 'run-2', prompt: 'again' }, { type: 'text', text: 'two' }, end], first);
    const ids = second.map((item) => item.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('an approval card waits, then shows how it was decided; the other items are untouched', () => {
    const approval: RunEventBody = { type: 'approval', approvalId: 'ap-1', toolId: 'toolu_1', tool: 'Edit', summary: 'edit a.ts', detail: '@@ -1 +1 @@', expiresAt: '2026-12-02T01:30:00.000Z' };
    const waiting = fold([start, { type: 'tool', toolId: 'toolu_1', name: 'Edit', target: 'a.ts' }, approval]);
    expect(waiting.at(-1)).toEqual({ kind: 'approval', id: 'ap-1', tool: 'Edit', summary: 'edit a.ts', detail: '@@ -1 +1 @@', expiresAt: '2026-12-02T01:30:00.000Z', outcome: null });
    const decided = foldRunEvent(waiting, { type: 'approval_decided', approvalId: 'ap-1', decision: 'deny', scope: 'once', note: 'no', by: 'visitor', device: 'd-1', seq: 4 });
    expect(decided.at(-1)).toMatchObject({ kind: 'approval', outcome: { decision: 'deny', scope: 'once', note: 'no', by: 'visitor', device: 'd-1' } });
    expect(decided.slice(0, -1)).toEqual(waiting.slice(0, -1));
  });

  it('folds thinking deltas into one item that ends timed, before the answer; a second block is its own item', () => {
    const items = fold([
      start,
      { type: 'thinking', text: '' },
      { type: 'thinking', text: 'Let me ' },
      { type: 'thinking', text: 'see.' },
      { type: 'thinking_end', durationMs: 12_400, redacted: false },
      { type: 'text', text: 'Answer.' },
      { type: 'thinking_end', durationMs: 5, redacted: true },
    ]);
    expect(items.slice(1)).toEqual([
      { kind: 'thinking', id: 'live-1', text: 'Let me see.', done: true, durationMs: 12_400, redacted: false },
      { kind: 'assistant', id: 'live-2', text: 'Answer.' },
      { kind: 'thinking', id: 'live-3', text: '', done: true, durationMs: 5, redacted: true },
    ]);
  });

  it('a plan right after a plan takes its place, keeping its id; once something came between, the next is a card of its own', () => {
    const step = (content: string, status: 'pending' | 'in_progress' | 'completed') => ({ content, status, activeForm: null });
    const items = fold([
      start,
      { type: 'plan', toolId: 'create-1', steps: [step('Pack', 'pending')] },
      { type: 'tool_result', toolId: 'create-1', status: 'ok', summary: 'Task #1 created successfully: Pack', lines: 1 },
      { type: 'plan', toolId: 'create-2', steps: [step('Pack', 'pending'), step('Go', 'pending')] },
      { type: 'text', text: 'Packing now.' },
      { type: 'plan', toolId: 'update-1', steps: [step('Pack', 'in_progress'), step('Go', 'pending')] },
    ]);
    expect(items.slice(1)).toEqual([
      { kind: 'plan', id: 'create-1', steps: [step('Pack', 'pending'), step('Go', 'pending')] },
      { kind: 'assistant', id: 'live-2', text: 'Packing now.' },
      { kind: 'plan', id: 'update-1', steps: [step('Pack', 'in_progress'), step('Go', 'pending')] },
    ]);
  });
});
