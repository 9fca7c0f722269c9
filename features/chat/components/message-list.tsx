'use client';

import { memo, useEffect, useRef, useState, type ReactNode } from 'react';
import Markdown, { type Components } from 'react-markdown';
import { modelDisplayName, type ChatItem } from '@/features/runs';
import remarkGfm from 'remark-gfm';
import { ApprovalCard, type Decide } from './approval-card';
import { ChangesView } from './changes-view';

const toolIcons: Record<string, string> = { running: '…', ok: '✓', error: '✕', denied: '✕' };

/** `decide` answers the run's approval cards; null when no run is followed here (nothing to answer). */
export function MessageList({ items, busy, decide, empty }: { items: ChatItem[]; busy: boolean; decide: Decide | null; empty: ReactNode }) {
  const log = useRef<HTMLDivElement>(null);
  const end = useRef<HTMLDivElement>(null);
  // Follow the stream only while the reader is at the bottom: scrolled up to read, they stay put.
  const [following, setFollowing] = useState(true);
  const last = items.at(-1);
  // Items keep their identity, so only the changed one re-renders.
  useEffect(() => {
    if (following) end.current?.scrollIntoView({ block: 'end' });
  }, [items.length, last, following]);
  const onScroll = () => {
    const element = log.current;
    if (element) setFollowing(element.scrollHeight - element.scrollTop - element.clientHeight < AT_BOTTOM_PX);
  };
  return (
    <div className="log-frame">
      <div className="log" role="log" aria-label="Conversation" aria-busy={busy} ref={log} onScroll={onScroll}>
        {items.length === 0 && empty}
        {items.map((item) => (
          <ItemView key={item.id} item={item} decide={item.kind === 'approval' ? decide : null} busy={item.kind === 'changes' && busy} />
        ))}
        <div ref={end} />
      </div>
      {!following && (
        <button type="button" className="jump-latest" onClick={() => setFollowing(true)}>
          Jump to latest
        </button>
      )}
    </div>
  );
}

/** Within this distance of the end, the reader is "at the bottom" (sub-pixel scrolling, a last line in view). */
const AT_BOTTOM_PX = 48;

const remarkPlugins = [remarkGfm];

/** Code blocks get a Copy button; task-list boxes (read-only) say what they show. */
const markdownComponents: Components = {
  input: ({ node: _node, ...props }) => (props.type === 'checkbox' ? <input {...props} aria-label={props.checked ? 'Done' : 'Not done'} /> : <input {...props} />),
  pre: ({ children, node }) => {
    const code = node?.children[0];
    const text = code && code.type === 'element' ? textOf(code) : '';
    return (
      <div className="code-block">
        <pre>{children}</pre>
        <CopyButton text={text} label="Copy code" />
      </div>
    );
  },
};

function textOf(node: { type: string; value?: string; children?: Array<{ type: string; value?: string; children?: unknown[] }> }): string {
  if (node.type === 'text') return node.value ?? '';
  return (node.children ?? []).map((child) => textOf(child as Parameters<typeof textOf>[0])).join('');
}

/** Copies `text` to the clipboard and says so for a moment. */
function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="copy-button"
      aria-label={label}
      onClick={() =>
        void navigator.clipboard.writeText(text).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        })
      }
    >
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}

const ItemView = memo(function ItemView({ item, decide, busy }: { item: ChatItem; decide: Decide | null; busy: boolean }) {
  switch (item.kind) {
    case 'approval':
      return <ApprovalCard approval={item} decide={decide} />;
    case 'changes':
      return <ChangesView changes={item} busy={busy} />;
    case 'user':
      return <div className="message user" data-testid="user-message">{item.text}</div>;
    case 'assistant':
      return (
        <div className="answer">
          <div className="message assistant" data-testid="assistant-message">
            <Markdown remarkPlugins={remarkPlugins} components={markdownComponents}>{item.text}</Markdown>
          </div>
          <CopyButton text={item.text} label="Copy answer" />
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
          {modelDisplayName(item.model)} in {item.mode} mode{item.durationMs !== null && ` · ${formatDuration(item.durationMs)}`}
          {item.inputTokens !== null && ` · ${item.inputTokens.toLocaleString('en')} in / ${(item.outputTokens ?? 0).toLocaleString('en')} out tokens`}
          {item.costUsd !== null && ` · $${item.costUsd.toFixed(4)}`}
        </div>
      );
  }
});

function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
