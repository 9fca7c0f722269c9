'use client';

import { createContext, lazy, memo, Suspense, useContext, useEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import { type ChatItem } from '@/features/timeline';
import { ApprovalCard, type Decide } from '@/features/approvals';
import { CopyButton } from '@/lib/ui/copy-button';
import { ChangesView } from '@/features/changes';
import { MessageAttachments, type AttachmentUrl } from '@/features/attachments';
import { ThinkingView } from './thinking-view';
import { PlanCard } from './plan-view';
import { RunEnd } from './run-end';
import { SubagentCard } from './subagent-card';
import { ToolCard } from './tool-card';

/** What the reader can do to the conversation's last message: send it again, or change it and send that. */
export type Steer = { retry: () => void; edit: () => void };
/** "Branch from here" on an answer: a new conversation keeping the visitor's first `keepPrompts` messages and their answers. */
export type Branch = (keepPrompts: number) => void;

/**
 * `decide` answers the run's approval cards; null when no run is followed here (nothing to answer).
 * `readOnly`: a shared page's view (no Undo). `steer`: Retry and Edit, offered on the last
 * message and its outcome while no run is going. `branch`: offered on every finished answer.
 */
export function MessageList({
  items,
  busy,
  decide,
  empty,
  readOnly = false,
  steer = null,
  branch = null,
  attachmentUrl = null,
}: {
  items: ChatItem[];
  busy: boolean;
  decide: Decide | null;
  empty: ReactNode;
  readOnly?: boolean;
  steer?: Steer | null;
  branch?: Branch | null;
  /** Where this page can load an attachment from (null: nowhere yet, so only its name shows). */
  attachmentUrl?: AttachmentUrl | null;
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
  // Each answer's place among the visitor's messages: a branch from it keeps that many.
  const promptsBy = new Map<string, number>();
  let prompts = 0;
  for (const item of items)
    if (item.kind === 'user') prompts += 1;
    else if (item.kind === 'run_end') promptsBy.set(item.id, prompts);
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
                branch={branch}
                keepPrompts={promptsBy.get(item.id) ?? 0}
                attachmentUrl={attachmentUrl}
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

/**
 * `action`: Edit on the last message, Retry on the last outcome (null elsewhere, and while a run
 * goes). `branch` with `keepPrompts`: "Branch from here" on an answer (the visitor's messages up to it).
 */
const ItemView = memo(function ItemView({
  item,
  decide,
  busy,
  readOnly,
  action,
  branch,
  keepPrompts,
  attachmentUrl,
}: {
  item: ChatItem;
  decide: Decide | null;
  busy: boolean;
  readOnly: boolean;
  action: (() => void) | null;
  branch: Branch | null;
  keepPrompts: number;
  attachmentUrl: AttachmentUrl | null;
}) {
  switch (item.kind) {
    case 'approval':
      return <ApprovalCard approval={item} decide={decide} />;
    case 'changes':
      return <ChangesView changes={item} busy={busy} readOnly={readOnly} />;
    case 'user':
      return (
        <div className="user-turn">
          {item.attachments && <MessageAttachments attachments={item.attachments} urlOf={attachmentUrl} />}
          {item.text && (
            <div className="message user" data-testid="user-message">
              {item.text}
            </div>
          )}
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
      return <ToolCard item={item} />;
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
      return <RunEnd item={item} retry={action} branch={branch && keepPrompts > 0 ? () => branch(keepPrompts) : null} />;
  }
});
