import type { SessionMessage } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import { TaskPlan } from './task-plan';

/** A call and the CLI's answer to it, as the CLI words them (the SDK's messages and the transcript alike). */
function exchange(plan: TaskPlan, { id, name, input, answer, isError = false }: { id: string; name: string; input: unknown; answer: string; isError?: boolean }) {
  const shown = plan.call({ type: 'tool_use', id, name, input });
  return { shown, plan: plan.result({ type: 'tool_result', tool_use_id: id, content: answer, is_error: isError }) };
}

const created = (plan: TaskPlan, id: string, subject: string, activeForm?: string) =>
  exchange(plan, { id: `create-${id}`, name: 'TaskCreate', input: { subject, description: 'x', activeForm }, answer: `Task #${id} created successfully: ${subject}` });

describe('TaskPlan', () => {
  it('adds a pending step per created task, with the id the CLI gave', () => {
    const plan = new TaskPlan();
    expect(created(plan, '1', 'Pack', 'Packing')).toEqual({ shown: true, plan: { type: 'plan', toolId: 'create-1', steps: [{ content: 'Pack', status: 'pending', activeForm: 'Packing' }] } });
    expect(created(plan, '2', 'Go').plan?.steps).toEqual([
      { content: 'Pack', status: 'pending', activeForm: 'Packing' },
      { content: 'Go', status: 'pending', activeForm: null },
    ]);
  });

  it('moves, renames and deletes a step when the CLI says it updated the task; leaves it when the CLI found no such task', () => {
    const plan = new TaskPlan();
    created(plan, '1', 'Pack');
    created(plan, '2', 'Go');
    const updated = (id: string, input: Record<string, unknown>, answer: string) => exchange(plan, { id, name: 'TaskUpdate', input, answer }).plan?.steps ?? null;
    expect(updated('u1', { taskId: '1', status: 'in_progress', activeForm: 'Packing' }, 'Updated task #1 status, activeForm')).toEqual([
      { content: 'Pack', status: 'in_progress', activeForm: 'Packing' },
      { content: 'Go', status: 'pending', activeForm: null },
    ]);
    expect(updated('u2', { taskId: '#2', status: 'completed' }, 'Task not found')).toBeNull();
    expect(updated('u3', { taskId: '2', subject: 'Go home' }, 'Updated task #2 subject')?.[1]).toEqual({ content: 'Go home', status: 'pending', activeForm: null });
    expect(updated('u4', { taskId: '1', status: 'deleted' }, 'Updated task #1 deleted')).toEqual([{ content: 'Go home', status: 'pending', activeForm: null }]);
  });

  it('changes nothing on a refused or failed call, and shows only task calls in the plan', () => {
    const plan = new TaskPlan();
    expect(exchange(plan, { id: 'c1', name: 'TaskCreate', input: { subject: 'Pack', description: 'x' }, answer: 'Blocked by Tether: no.', isError: true })).toEqual({ shown: true, plan: null });
    expect(exchange(plan, { id: 'l1', name: 'TaskList', input: {}, answer: 'No tasks found' })).toEqual({ shown: true, plan: null });
    expect(exchange(plan, { id: 'r1', name: 'Read', input: { file_path: 'a' }, answer: 'Task #1 created successfully: a' })).toEqual({ shown: false, plan: null });
  });

  it('rebuilds from a session the plan its live calls made', () => {
    const entry = (type: 'assistant' | 'user', block: Record<string, unknown>) => ({ type, uuid: String(Math.random()), message: { content: [block] } }) as unknown as SessionMessage;
    const session = [
      entry('assistant', { type: 'tool_use', id: 't1', name: 'TaskCreate', input: { subject: 'Pack', description: 'x' } }),
      entry('user', { type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'Task #7 created successfully: Pack' }] }),
      entry('assistant', { type: 'tool_use', id: 't2', name: 'TaskUpdate', input: { taskId: '7', status: 'completed' } }),
      entry('user', { type: 'tool_result', tool_use_id: 't2', content: 'Updated task #7 status' }),
    ];
    const plan = TaskPlan.ofSession(session);
    expect(created(plan, '8', 'Go').plan?.steps).toEqual([
      { content: 'Pack', status: 'completed', activeForm: null },
      { content: 'Go', status: 'pending', activeForm: null },
    ]);
  });
});
