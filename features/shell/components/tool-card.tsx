import type { ChatItem } from '@/features/timeline';
import { toolMarks } from './subagent-card';

/** A tool call: its mark, name, target, and what it gave back. */
export function ToolCard({ item }: { item: Extract<ChatItem, { kind: 'tool' }> }) {
  return (
    <div className={`tool tool-${item.status}`} data-testid="tool-card" data-status={item.status}>
      <span className="tool-icon" aria-hidden>
        {toolMarks[item.status]}
      </span>
      <span className="tool-name">{item.name}</span>
      {item.target && <code className="tool-target">{item.target}</code>}
      <span className="visually-hidden">{item.status}</span>
      {item.summary && <ToolOutput summary={item.summary} lines={item.lines ?? 1} failed={item.status !== 'ok'} />}
    </div>
  );
}

/** Outputs longer than this are folded, with their line count. */
const FOLD_AFTER_LINES = 3;

/** A tool's output: a few lines as they are, a longer one folded behind "Output · N lines". */
function ToolOutput({ summary, lines, failed }: { summary: string; lines: number; failed: boolean }) {
  const className = failed ? 'tool-summary' : 'tool-output';
  // (Focusable: a long line scrolls sideways, and the keyboard must reach it too.)
  if (lines <= FOLD_AFTER_LINES)
    return (
      <pre className={className} tabIndex={0}>
        {summary}
      </pre>
    );
  return (
    <details>
      <summary>
        {failed ? 'Error' : 'Output'} · {lines.toLocaleString('en')} lines
      </summary>
      <pre className={className} tabIndex={0}>
        {summary}
      </pre>
    </details>
  );
}
