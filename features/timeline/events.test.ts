import { describe, expect, it } from 'vitest';
import { parseRunEvent, runEventSchemas, type RunEvent } from './events';

/** One event of every type, as the server sends them. */
const samples: RunEvent[] = [
  { type: 'start', runId: 'r-1', conversationId: 'c-1', model: 'claude-sonnet-4-5', mode: 'ask', prompt: 'hello', seq: 1 },
  { type: 'queue', position: 2, seq: 2 },
  { type: 'text', text: 'Hi', seq: 3 },
  { type: 'tool', toolId: 't-1', name: 'Read', target: null, seq: 4 },
  { type: 'tool_result', toolId: 't-1', status: 'denied', summary: 'Blocked', lines: 1, seq: 5 },
  { type: 'notice', message: 'Started a new session', seq: 6 },
  { type: 'retry', message: 'The model API is busy', seq: 7 },
  { type: 'error', code: 'agent:failed', message: 'It broke', seq: 8 },
  { type: 'approval', approvalId: 'a-1', toolId: 't-2', tool: 'Edit', summary: 'edit a.ts', detail: null, expiresAt: '2026-01-01T00:00:00.000Z', seq: 9 },
  { type: 'approval_decided', approvalId: 'a-1', decision: 'allow', scope: 'run', note: null, by: 'visitor', device: 'd-1', seq: 10 },
  {
    type: 'changes',
    runId: 'r-1',
    files: [{ path: 'a.ts', kind: 'modified', oldPath: null, mode: null, binary: false, size: null, patch: '@@ -1 +1 @@', added: 1, removed: 1, restorable: true }],
    seq: 11,
  },
  { type: 'end', status: 'completed', model: 'claude-sonnet-4-5', mode: 'ask', costUsd: 0.01, inputTokens: 10, outputTokens: 20, durationMs: 900, seq: 12 },
  { type: 'thinking', text: 'Hmm', seq: 13 },
  { type: 'thinking_end', durationMs: 1200, redacted: false, seq: 14 },
  { type: 'plan', toolId: 't-3', steps: [{ content: 'Pack', status: 'in_progress', activeForm: 'Packing' }], seq: 15 },
];

describe('parseRunEvent', () => {
  it('reads back every event type the server sends, unchanged', () => {
    expect(new Set(samples.map((event) => event.type))).toEqual(new Set(Object.keys(runEventSchemas)));
    for (const event of samples) expect(parseRunEvent(JSON.stringify(event))).toEqual({ ok: true, event });
  });

  it('reads a changes event an earlier version journaled (no kinds, modes or sizes) with their defaults', () => {
    const file = { path: 'a.ts', patch: null, added: null, removed: null, restorable: false };
    const parsed = parseRunEvent(JSON.stringify({ type: 'changes', runId: 'r-1', files: [file], seq: 3 }));
    expect(parsed).toEqual({ ok: true, event: { type: 'changes', runId: 'r-1', files: [{ ...file, kind: 'modified', oldPath: null, mode: null, binary: false, size: null }], seq: 3 } });
  });

  it('answers a reason, not an exception, for an unknown type, a bad field, a missing seq or broken JSON', () => {
    expect(parseRunEvent(JSON.stringify({ type: 'hologram', frames: [], seq: 3 }))).toEqual({ ok: false, reason: 'unknown event type "hologram"' });
    expect(parseRunEvent(JSON.stringify({ text: 'no type', seq: 3 }))).toEqual({ ok: false, reason: 'unknown event type undefined' });
    expect(parseRunEvent(JSON.stringify({ type: 'constructor', seq: 3 }))).toMatchObject({ ok: false });
    expect(parseRunEvent(JSON.stringify({ type: 'text', text: 42, seq: 3 }))).toMatchObject({ ok: false, reason: expect.stringContaining('malformed text event') });
    expect(parseRunEvent(JSON.stringify({ type: 'end', status: 'running', model: 'm', mode: 'plan', costUsd: null, inputTokens: null, outputTokens: null, durationMs: 1, seq: 3 }))).toMatchObject({
      ok: false,
    });
    expect(parseRunEvent(JSON.stringify({ type: 'text', text: 'no seq' }))).toMatchObject({ ok: false, reason: expect.stringContaining('malformed text event') });
    expect(parseRunEvent('{"type":')).toEqual({ ok: false, reason: 'not JSON' });
    expect(parseRunEvent('null')).toMatchObject({ ok: false });
  });

  it('keeps the fields it knows: a newer server may add some', () => {
    expect(parseRunEvent(JSON.stringify({ type: 'text', text: 'Hi', seq: 1, lang: 'en' }))).toEqual({ ok: true, event: { type: 'text', text: 'Hi', seq: 1 } });
  });
});
