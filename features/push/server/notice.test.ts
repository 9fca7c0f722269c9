import { describe, expect, it } from 'vitest';
import type { RunFinished } from '@/features/runs/server';
import { approvalNotice, runNotice, topicFor } from './notice';

const id = '0b9c7a52-8d51-4f0e-9a6e-6a3f2f1e1c01';
const run = (over: Partial<RunFinished>): RunFinished => ({
  conversationId: id,
  status: 'completed',
  model: 'claude-opus-4-1',
  mode: 'plan',
  error: null,
  answer: '',
  watched: false,
  ...over,
});

describe('runNotice', () => {
  it('completed: "Task is ready", the model and mode, a link to the conversation', () => {
    expect(runNotice(run({ answer: 'Done.' }), { showPreview: false })).toEqual({
      title: 'Task is ready',
      body: 'claude-opus-4-1 in plan mode is done working',
      data: { conversationId: id, url: `/?c=${id}` },
    });
  });

  it('the preview is one line, shortened', () => {
    const body = runNotice(run({ answer: `First line\n\n${'word '.repeat(100)}` }), { showPreview: true })!.body;
    const [, preview] = body.split('\n');
    expect(preview).toMatch(/^First line word word/);
    expect(preview!.length).toBeLessThanOrEqual(140);
    expect(preview!.endsWith('…')).toBe(true);
    expect(runNotice(run({ answer: '   ' }), { showPreview: true })!.body).toBe('claude-opus-4-1 in plan mode is done working');
  });

  it('failed and interrupted get their own wording; stopped sends nothing', () => {
    expect(runNotice(run({ status: 'failed', error: 'The model API is unavailable.\nDetails…' }), { showPreview: true })).toMatchObject({
      title: 'Task failed',
      body: 'claude-opus-4-1 in plan mode: The model API is unavailable. Details…',
    });
    expect(runNotice(run({ status: 'interrupted' }), { showPreview: false })).toMatchObject({ title: 'Task was interrupted' });
    expect(runNotice(run({ status: 'stopped' }), { showPreview: false })).toBeNull();
  });

  it('the topic is URL-safe base64, at most 32 characters, one per conversation', () => {
    expect(topicFor(id)).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
    expect(topicFor(id)).not.toBe(topicFor('1b9c7a52-8d51-4f0e-9a6e-6a3f2f1e1c01'));
  });
});

describe('approvalNotice', () => {
  const approval = { conversationId: id, model: 'claude-sonnet-4-5', mode: 'ask', summary: 'run npm test', watched: false };

  it('"Approval needed": what the agent wants to do only where previews are on, a link to the conversation', () => {
    expect(approvalNotice(approval, { showPreview: true })).toEqual({
      title: 'Approval needed',
      body: 'claude-sonnet-4-5 in ask mode wants to run npm test',
      data: { conversationId: id, url: `/?c=${id}` },
    });
    expect(approvalNotice(approval, { showPreview: false }).body).toBe('claude-sonnet-4-5 in ask mode is waiting for your approval');
  });
});
