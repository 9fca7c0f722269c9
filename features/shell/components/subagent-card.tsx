import type { ChatItem } from '@/features/timeline';

type Tool = Extract<ChatItem, { kind: 'tool' }>;
/** A tool call's state as a mark, on its card (and on a subagent's steps). */
export const toolMarks: Record<Tool['status'], string> = { running: '…', ok: '✓', error: '✕', denied: '✕' };

/** An Agent call: what the subagent was given to do, its own tool calls as they happen, its state, and its report. */
export function SubagentCard({ item, calls }: { item: Tool; calls: Tool[] }) {
  const state = item.status === 'running' ? `working · ${calls.length} ${calls.length === 1 ? 'step' : 'steps'}` : item.status === 'ok' ? 'done' : 'failed';
  return (
    <div className={`tool subagent tool-${item.status}`} data-testid="subagent-card" data-status={item.status}>
      <span className="tool-icon" aria-hidden>
        {toolMarks[item.status]}
      </span>
      <span className="tool-name">Subagent</span>
      {item.target && <span className="tool-target">{item.target}</span>}
      <span className="muted"> · {state}</span>
      {calls.length > 0 && (
        <ol className="subagent-calls" aria-label="The subagent's steps">
          {calls.map((call) => (
            <li key={call.id} data-status={call.status}>
              <span aria-hidden>{toolMarks[call.status]}</span> {call.name} {call.target && <code>{call.target}</code>}
              <span className="visually-hidden">{call.status}</span>
            </li>
          ))}
        </ol>
      )}
      {item.summary && (
        <details>
          <summary>Report</summary>
          <pre className="tool-output" tabIndex={0}>
            {item.summary}
          </pre>
        </details>
      )}
    </div>
  );
}
