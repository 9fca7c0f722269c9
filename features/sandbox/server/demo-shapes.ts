import 'server-only';
import { lastToolResults, lastUserText, type MessagesRequest, type Reply, type ReplyBlock } from '@/lib/messages-api/server';

/**
 * The demo model's other shapes of answer, so the quick start shows how each looks: extended
 * thinking ("think about …"), a plan it works through ("plan …"), a subagent it hands work to
 * ("delegate …"), and an answer the API breaks off mid-stream ("fail mid-stream").
 */
export function demoShape(request: MessagesRequest): Reply | null {
  const text = visitorPrompt(request);
  const topic = text.match(/\bthink (?:about|of)\s+(.+)/i)?.[1]?.replace(/[.?!]+$/, '');
  if (topic) {
    return {
      blocks: [
        {
          type: 'thinking',
          text: `The visitor asks me to think about ${topic}. A real model reasons here, often for many seconds; the page shows it folded, as it streams, and then how long it took.`,
        },
        { type: 'text', text: `I thought about ${topic}. Open **Thought for …** above to read how.` },
      ],
      delayMs: 40,
    };
  }
  if (lastUserText({ ...request, messages: request.messages.slice(0, 1) }).startsWith(SUBTASK)) return subagentStep(request);
  const task = text.match(/^delegate\s+(.+)/i)?.[1]?.replace(/[.?!]+$/, '');
  if (task) return delegate(task, request);
  const goal = text.match(/^plan\s+(.+)/i)?.[1]?.replace(/[.?!]+$/, '');
  if (goal) return planStep(goal, request);
  if (/\bfail mid-stream\b/i.test(text)) return brokenOff(text, request);
  return null;
}

/** Prompts whose first answer broke off already: Retry runs them again from before the prompt, and this time the answer completes. */
const brokenOnce = new Set<string>();
const CUT_OFF_NOTE = /was cut off mid-stream/i;

/** The visitor's last words: the last user text that is not the CLI's own note asking a broken-off answer to resume. */
function visitorPrompt(request: MessagesRequest): string {
  for (const message of request.messages.toReversed()) {
    const text = message.role === 'user' ? lastUserText({ ...request, messages: [message] }).trim() : '';
    if (text && !CUT_OFF_NOTE.test(text)) return text;
  }
  return '';
}

function brokenOff(text: string, request: MessagesRequest): Reply {
  // The CLI asks a broken-off answer to resume (three times): those fail too, so the run fails.
  const resuming = request.messages.some((message) => message.role === 'user' && CUT_OFF_NOTE.test(lastUserText({ ...request, messages: [message] })));
  if (brokenOnce.has(text) && !resuming) return { blocks: [{ type: 'text', text: 'This time the answer came through whole: **Retry** ran your message again.' }], delayMs: 15 };
  brokenOnce.add(text);
  return {
    blocks: [
      { type: 'text', text: 'Here is the start of an answer that the model API will cut off' },
      { type: 'stream_error', errorType: 'overloaded_error', message: 'Overloaded' },
    ],
    delayMs: 15,
  };
}

const PLAN_STEPS = ['Look at what is there', 'Work out the steps', 'Sum it up'];

/**
 * The plan as this CLI's task tools make it (the tools it offers the agent, as a real model plans):
 * the steps created at once, then each marked in progress and done in turn, then the answer. The
 * task ids come from the CLI's answers ("Task #4 created successfully: …"): a conversation that
 * planned before goes on counting.
 */
function planStep(goal: string, request: MessagesRequest): Reply {
  // The calls made since the visitor's prompt (the conversation may have planned before).
  const prompt = request.messages.findLastIndex((message) => message.role === 'user' && lastUserText({ ...request, messages: [message] }).trim() !== '');
  const since = request.messages.slice(prompt).flatMap((message) => (typeof message.content === 'string' ? [] : message.content));
  const ids = since.flatMap((block) => (block.type === 'tool_result' ? [/^Task #(\S+) created successfully/.exec(resultText(block.content))?.[1]] : [])).filter((id) => id !== undefined);
  const moved = (status: string) => since.filter((block) => block.type === 'tool_use' && block.name === 'TaskUpdate' && (block.input as { status?: string }).status === status).length;
  const [started, done] = [moved('in_progress'), moved('completed')];
  const update = (index: number, status: string): ReplyBlock[] => (ids[index] ? [{ type: 'tool_use', name: 'TaskUpdate', input: { taskId: ids[index], status } }] : []);
  if (ids.length === 0) {
    const creates = PLAN_STEPS.map((subject): ReplyBlock => ({ type: 'tool_use', name: 'TaskCreate', input: { subject, description: `${subject}, to ${goal}.`, activeForm: `${subject}…` } }));
    return { blocks: [{ type: 'text', text: `Planning to ${goal}.` }, ...creates], delayMs: 300 };
  }
  // Nothing said before the first step starts: the checklist's card updates in place.
  if (started === 0) return { blocks: update(0, 'in_progress'), delayMs: 300 };
  if (done < started) {
    const say = done + 1 < PLAN_STEPS.length ? `Step ${done + 1} done.` : 'All steps done.';
    return { blocks: [{ type: 'text', text: say }, ...update(done, 'completed'), ...update(done + 1, 'in_progress')], delayMs: 300 };
  }
  return { blocks: [{ type: 'text', text: `That is the plan to ${goal}: each step shows done in the checklist above.` }], delayMs: 15 };
}

function resultText(content: unknown): string {
  return typeof content === 'string' ? content : Array.isArray(content) ? content.map((part: { text?: string }) => part.text ?? '').join('') : '';
}

/** How the demo's subagent knows its session: the prompt it is given starts so. */
const SUBTASK = 'Subtask from the demo model:';

/** The agent hands the task to a subagent, then reports what it found. */
function delegate(task: string, request: MessagesRequest): Reply {
  const report = lastToolResults(request)[0];
  if (report) return { blocks: [{ type: 'text', text: `The subagent is done. Its report:\n\n${report.content.trim()}` }], delayMs: 15 };
  return {
    blocks: [
      { type: 'text', text: 'Handing this to a subagent.' },
      { type: 'tool_use', name: 'Agent', input: { description: task.slice(0, 60), prompt: `${SUBTASK} ${task}`, subagent_type: 'general-purpose', run_in_background: false } },
    ],
    delayMs: 15,
  };
}

/** The subagent: lists the workspace, reads its README, then reports. */
function subagentStep(request: MessagesRequest): Reply {
  const calls = JSON.stringify(request.messages).split('"type":"tool_use"').length - 1;
  if (calls === 0) return { blocks: [{ type: 'tool_use', name: 'Glob', input: { pattern: '**/*' } }], delayMs: 300 };
  if (calls === 1) return { blocks: [{ type: 'tool_use', name: 'Read', input: { file_path: 'README.md' } }], delayMs: 300 };
  return { blocks: [{ type: 'text', text: 'I listed the workspace and read its README: it is the demo workspace.' }], delayMs: 15 };
}
