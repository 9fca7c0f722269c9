import 'server-only';
import { lastToolResults, lastUserText, type MessagesRequest, type Reply } from '@/lib/messages-api/server';

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

/** One TodoWrite per step, each marking the one before done, then the answer. */
function planStep(goal: string, request: MessagesRequest): Reply {
  // The calls made since the visitor's prompt (the conversation may have planned before).
  const prompt = request.messages.findLastIndex((message) => message.role === 'user' && lastUserText({ ...request, messages: [message] }).trim() !== '');
  const done = JSON.stringify(request.messages.slice(prompt)).split('"name":"TodoWrite"').length - 1;
  if (done > PLAN_STEPS.length) return { blocks: [{ type: 'text', text: `That is the plan to ${goal}: each step shows done in the checklist above.` }], delayMs: 15 };
  const todos = PLAN_STEPS.map((content, index) => ({
    content,
    activeForm: `${content}…`,
    status: index < done ? 'completed' : index === done ? 'in_progress' : 'pending',
  }));
  const say = done === 0 ? `Planning to ${goal}.` : done < PLAN_STEPS.length ? `Step ${done} done.` : 'All steps done.';
  return {
    blocks: [
      { type: 'text', text: say },
      { type: 'tool_use', name: 'TodoWrite', input: { todos } },
    ],
    delayMs: 300,
  };
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
