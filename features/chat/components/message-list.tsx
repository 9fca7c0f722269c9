'use client';

import { memo, useEffect, useRef } from 'react';
import Markdown from 'react-markdown';
import type { ChatItem } from '@/features/runs';
import { ApprovalCard, type Decide } from './approval-card';

const toolIcons: Record<string, string> = { running: '…', ok: '✓', error: '✕', denied: '✕' };

/** `decide` answers the run's approval cards; null when no run is followed here (nothing to answer). */
export function MessageList({ items, busy, decide }: { items: ChatItem[]; busy: boolean; decide: Decide | null }) {
  const end = useRef<HTMLDivElement>(null);
  const last = items.at(-1);
  // Follow the newest content; items keep their identity, so only the changed one re-renders.
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [items.length, last]);
  return (
    <div className="log" role="log" aria-label="Conversation" aria-busy={busy}>
      {items.length === 0 && <p className="empty">Ask the agent about this workspace's files.</p>}
      {items.map((item) => (
        <ItemView key={item.id} item={item} decide={item.kind === 'approval' ? decide : null} />
      ))}
      <div ref={end} />
    </div>
  );
}

const ItemView = memo(function ItemView({ item, decide }: { item: ChatItem; decide: Decide | null }) {
  switch (item.kind) {
    case 'approval':
      return <ApprovalCard approval={item} decide={decide} />;
    case 'user':
      return <div className="message user" data-testid="user-message">{item.text}</div>;
    case 'assistant':
      return (
        <div className="message assistant" data-testid="assistant-message">
          <Markdown>{item.text}</Markdown>
        </div>
      );
    case 'tool':
      return (
        <div className={`tool tool-${item.status}`} data-testid="tool-card" data-status={item.status}>
          <span className="tool-icon" aria-hidden>{toolIcons[item.status]}</span>
          <span className="tool-name">{item.name}</span>
          {item.target && <code className="tool-target">{item.target}</code>}
          <span className="visually-hidden">{item.status}</span>
          {item.summary && item.status !== 'ok' && <div className="tool-summary">{item.summary}</div>}
          {item.summary && item.status === 'ok' && (
            <details>
              <summary>Result</summary>
              <pre>{item.summary}</pre>
            </details>
          )}
        </div>
      );
    case 'queue':
      return (
        <div className="notice notice-info" role="status" data-testid="queue-position">
          All agents on this server are busy: your message is number {item.position} in line and starts automatically.
        </div>
      );
    case 'retry':
      return <div className="notice notice-info" role="status" data-testid="retry-progress">{item.text}</div>;
    case 'notice':
      return <div className={`notice notice-${item.tone}`} role={item.tone === 'error' ? 'alert' : 'status'}>{item.text}</div>;
    case 'run_end':
      return (
        <div className="run-end" data-testid="run-end" data-status={item.status}>
          {item.status === 'interrupted' && (
            <p className="notice notice-error" role="status">
              This run was cut off when the server restarted. Send a message to carry on where it stopped.
            </p>
          )}
          {item.status !== 'completed' && <strong>{item.status} · </strong>}
          {item.model} in {item.mode} mode{item.durationMs !== null && ` · ${formatDuration(item.durationMs)}`}
          {item.inputTokens !== null && ` · ${item.inputTokens.toLocaleString('en')} in / ${(item.outputTokens ?? 0).toLocaleString('en')} out tokens`}
          {item.costUsd !== null && ` · $${item.costUsd.toFixed(4)}`}
        </div>
      );
  }
});

function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
