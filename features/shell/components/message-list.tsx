'use client';

import { createContext, lazy, memo, Suspense, useContext, useEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import { modelDisplayName } from '@/features/runs';
import { type ChatItem } from '@/features/timeline';
import { ApprovalCard, type Decide } from '@/features/approvals';
import { CopyButton } from '@/lib/ui/copy-button';
import { ChangesView } from '@/features/changes';
import { ThinkingView } from './thinking-view';
import { PlanCard } from './plan-view';
import { ContextMeter } from './context-meter';
import { SubagentCard, toolMarks } from './subagent-card';

/** What the reader can do to the conversation's last message: send it again, or change it and send that. */
export type Steer = { retry: () => void; edit: () => void };

/**
 * `decide` answers the run's approval cards; null when no run is followed here (nothing to answer).
 * `readOnly`: a shared page's view (no Undo). `steer`: Retry and Edit, offered on the last
 * message and its outcome while no run is going.
 */
export function MessageList({
  items,
  busy,
  decide,
  empty,
  readOnly = false,
  steer = null,
}: {
  items: ChatItem[];
  busy: boolean;
  decide: Decide | null;
  empty: ReactNode;
  readOnly?: boolean;
  steer?: Steer | null;
}) {
  const log = useRef<HTMLDivElement>(null);
  const end = useRef<HTMLDivElement>(null);
  // Follow the stream only while the reader is at the bottom: scrolled up to read, they stay put.
  const [following, setFollowing] = useState(true);
  const last = items.at(-1);
  const steerable = steer && !busy ? steer : null;
  const lastUser = items.findLast((item) => item.kind === 'user');
  const lastEnd = items.findLast((item) => item.kind === 'run_end');
  // A subagent's calls show inside the card of the Agent call that started them.
  const callsOf = new Map<string, Extract<ChatItem, { kind: 'tool' }>[]>();
  for (const item of items) if (item.kind === 'tool' && item.parentId) callsOf.set(item.parentId, [...(callsOf.get(item.parentId) ?? []), item]);
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
        <LogRoot.Provider value={log}>
          {items.length === 0 && empty}
          {items.map((item) =>
            item.kind === 'tool' && item.parentId ? null : item.kind === 'tool' && SUBAGENT_TOOLS.has(item.name) ? (
              <SubagentCard key={item.id} item={item} calls={callsOf.get(item.id) ?? []} />
            ) : (
              <ItemView
                key={item.id}
                item={item}
                decide={item.kind === 'approval' ? decide : null}
                busy={item.kind === 'changes' && busy}
                readOnly={readOnly}
                action={item === lastUser ? (steerable?.edit ?? null) : item === lastEnd ? (steerable?.retry ?? null) : null}
              />
            ),
          )}
        </LogRoot.Provider>
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

/** The tools that start a subagent (`Task` in older CLIs). */
const SUBAGENT_TOOLS = new Set(['Agent', 'Task']);

/** Within this distance of the end, the reader is "at the bottom" (sub-pixel scrolling, a last line in view). */
const AT_BOTTOM_PX = 48;

/** The Markdown renderer, a chunk of its own: the page boots without it, and shows plain text until it is in. */
const Markdown = lazy(() => import('./markdown'));
/** How far outside the conversation's visible part an answer is rendered as Markdown ahead of being scrolled to. */
const RENDER_AHEAD = '1200px 0px';
/** The conversation's scrolling element: answers watch their distance to what it shows. */
const LogRoot = createContext<RefObject<HTMLDivElement | null> | null>(null);

/**
 * An answer: plain text while far from view (a long conversation's reload renders hundreds of
 * answers; parsing them all as Markdown at once was most of its time), Markdown once near it.
 */
function AnswerText({ text }: { text: string }) {
  const root = useContext(LogRoot);
  const element = useRef<HTMLDivElement>(null);
  const [near, setNear] = useState(false);
  useEffect(() => {
    if (near || !element.current) return;
    const observer = new IntersectionObserver((entries) => entries.some((entry) => entry.isIntersecting) && setNear(true), { root: root?.current, rootMargin: RENDER_AHEAD });
    observer.observe(element.current);
    return () => observer.disconnect();
  }, [near, root]);
  const plain = <div className="plain-text">{text}</div>;
  return (
    <div className="message assistant" data-testid="assistant-message" ref={element}>
      {near ? (
        <Suspense fallback={plain}>
          <Markdown text={text} />
        </Suspense>
      ) : (
        plain
      )}
    </div>
  );
}

/** `action`: Edit on the last message, Retry on the last outcome (null elsewhere, and while a run goes). */
const ItemView = memo(function ItemView({ item, decide, busy, readOnly, action }: { item: ChatItem; decide: Decide | null; busy: boolean; readOnly: boolean; action: (() => void) | null }) {
  switch (item.kind) {
    case 'approval':
      return <ApprovalCard approval={item} decide={decide} />;
    case 'changes':
      return <ChangesView changes={item} busy={busy} readOnly={readOnly} />;
    case 'user':
      return (
        <div className="user-turn">
          <div className="message user" data-testid="user-message">
            {item.text}
          </div>
          {action && (
            <button type="button" className="link-button" onClick={action}>
              Edit
            </button>
          )}
        </div>
      );
    case 'assistant':
      return (
        <div className="answer">
          <AnswerText text={item.text} />
          <CopyButton text={item.text} label="Copy answer" />
        </div>
      );
    case 'thinking':
      return <ThinkingView item={item} />;
    case 'plan':
      return <PlanCard item={item} />;
    case 'tool':
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
    case 'queue':
      return (
        <div className="notice notice-info" role="status" data-testid="queue-position">
          All agents on this server are busy: your message is number {item.position} in line and starts automatically.
        </div>
      );
    case 'retry':
      return (
        <div className="notice notice-info" role="status" data-testid="retry-progress">
          {item.text}
        </div>
      );
    case 'notice':
      return (
        <div className={`notice notice-${item.tone}`} role={item.tone === 'error' ? 'alert' : 'status'}>
          {item.text}
        </div>
      );
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
          {item.contextTokens !== null && item.contextWindow !== null && (
            <>
              {' · '}
              <ContextMeter tokens={item.contextTokens} window={item.contextWindow} />
            </>
          )}
          {action && (
            <>
              {' · '}
              <button type="button" className="link-button" onClick={action}>
                Retry
              </button>
            </>
          )}
        </div>
      );
  }
});

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

function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
