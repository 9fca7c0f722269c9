import 'server-only';
import type { SessionMessage } from '@anthropic-ai/claude-agent-sdk';
import { z } from 'zod';
import { TASK_TOOLS } from '@/features/agents/vocabulary';
import type { RunEventBody } from '../types';
import { planStepStatuses, type PlanStep } from '../vocabulary';
import { contentText } from './tool-target';

type PlanEvent = Extract<RunEventBody, { type: 'plan' }>;
type Block = { type: string; id?: string; name?: string; input?: unknown; tool_use_id?: string; content?: unknown; is_error?: boolean };

// The CLI's own reading of its task tools' results, as it rebuilds a task list from a transcript
// after a restart: a create names the id it gave, and an update applied only when its result says so
// (an unknown id, "#2" for "2" included, gets "Task not found", which is not flagged as an error).
const CREATED = /^Task #(\S+) created successfully/;
const UPDATED = /^Updated task #(\S+)/;

// The fields of the CLI's input schemas that the plan shows (the model may send more).
const createInput = z.object({ subject: z.string(), activeForm: z.string().optional() });
const updateInput = z.object({
  taskId: z.string(),
  status: z.enum([...planStepStatuses, 'deleted']).optional(),
  subject: z.string().optional(),
  activeForm: z.string().optional(),
});

const isTaskTool = (name: string | undefined) => (TASK_TOOLS as readonly string[]).includes(name ?? '');
/** A task id as the CLI writes it ("1"), whether a result says "#1" or the input "1". */
const taskKey = (id: string) => id.trim().replace(/^#/, '');

/**
 * The agent's plan as the CLI's task list holds it, built from its TaskCreate and TaskUpdate calls
 * and their results. The CLI keeps one task list per session (its ids go on counting across the
 * conversation's runs), so one TaskPlan follows a whole session: the history feeds it the
 * transcript, and a live run starts from the transcript so far (`ofSession`) — both see the same
 * calls in the same order, so they end with the same plan.
 */
export class TaskPlan {
  /** The tasks by id, in the order they were created. */
  private readonly tasks = new Map<string, PlanStep>();
  /** TaskCreate and TaskUpdate calls waiting for their result, which says whether (and to which task) they applied. */
  private readonly waiting = new Map<string, { name: string; input: unknown }>();

  /** The plan a session's messages (oldest first) leave. */
  static ofSession(messages: SessionMessage[]): TaskPlan {
    const plan = new TaskPlan();
    for (const entry of messages) {
      const content = (entry.message as { content?: unknown } | undefined)?.content;
      for (const block of Array.isArray(content) ? (content as Block[]) : []) {
        if (block.type === 'tool_use') plan.call(block);
        if (block.type === 'tool_result') plan.result(block);
      }
    }
    return plan;
  }

  /** Takes note of a tool call; true when it is one of the task-list tools, which show in the plan rather than as a card. */
  call(block: Block): boolean {
    if (!isTaskTool(block.name)) return false;
    if (block.name === 'TaskCreate' || block.name === 'TaskUpdate') this.waiting.set(String(block.id), { name: block.name, input: block.input });
    return true;
  }

  /** The plan as it is now, when this result says a task was created, changed or deleted; null for any other result. */
  result(block: Block): PlanEvent | null {
    const toolId = String(block.tool_use_id);
    const call = this.waiting.get(toolId);
    if (!call) return null;
    this.waiting.delete(toolId);
    if (block.is_error) return null;
    const said = contentText(block.content).trim();
    const changed = call.name === 'TaskCreate' ? this.create(call.input, said) : this.update(call.input, said);
    return changed ? { type: 'plan', toolId, steps: [...this.tasks.values()] } : null;
  }

  private create(input: unknown, said: string): boolean {
    const id = CREATED.exec(said)?.[1];
    const parsed = createInput.safeParse(input);
    if (id === undefined || !parsed.success) return false;
    // A reused id (the CLI's count started over, its task folder gone) is that task now: the newest wins.
    this.tasks.delete(taskKey(id));
    this.tasks.set(taskKey(id), { content: parsed.data.subject, status: 'pending', activeForm: parsed.data.activeForm ?? null });
    return true;
  }

  private update(input: unknown, said: string): boolean {
    const parsed = updateInput.safeParse(input);
    const id = UPDATED.exec(said)?.[1] ?? null;
    if (id === null || !parsed.success) return false;
    const key = taskKey(id);
    const { status, subject, activeForm } = parsed.data;
    if (status === 'deleted') return this.tasks.delete(key);
    const known = this.tasks.get(key);
    // A task this plan never saw created (made on a branch the session left behind) shows once its subject is known.
    if (!known && subject === undefined) return false;
    const step: PlanStep = known ?? { content: subject!, status: 'pending', activeForm: null };
    this.tasks.set(key, { content: subject ?? step.content, status: status ?? step.status, activeForm: activeForm ?? step.activeForm });
    return true;
  }
}
