'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useSyncExternalStore } from 'react';
import { SHARE_TOKEN_HEADER } from '@/features/sharing';
import { fetchShared } from '../api/chat-api';
import { useLiveRun } from '../hooks/use-live-run';
import { useSharedAttachmentUrls } from '../hooks/use-shared-attachments';
import { MessageList } from './message-list';

/** This tab's share token: from the link's fragment, kept for reloads (the fragment itself is cleared). */
const TOKEN_KEY = 'tether-share-token';

function readToken(): string | null {
  return new URLSearchParams(window.location.hash.slice(1)).get('share') ?? sessionStorage.getItem(TOKEN_KEY);
}

/**
 * A conversation shared read-only: its history and its run in progress, live. No message box,
 * no Stop, no approvals, no Undo, no files, no devices; when the owner turns the link off, the
 * view says so.
 */
export function SharedConversation({ workspace }: { workspace: string }) {
  const token = useSyncExternalStore(noChanges, readToken, () => null);
  useEffect(() => {
    const fromLink = new URLSearchParams(window.location.hash.slice(1)).get('share');
    if (!fromLink) return;
    sessionStorage.setItem(TOKEN_KEY, fromLink);
    window.history.replaceState(null, '', window.location.pathname);
  }, []);
  const queryClient = useQueryClient();
  // Between runs the view is read again every few seconds: the owner's next message shows up.
  const view = useQuery({
    queryKey: ['shared', token],
    queryFn: () => fetchShared(token!),
    enabled: token !== null,
    refetchOnWindowFocus: false,
    refetchInterval: (query) => (query.state.data?.activeRun ? false : POLL_MS),
  });

  // Follow the run in progress. When it ends, or its stream is gone (the link was turned off),
  // the view is read again: the history then holds the run.
  const activeRunId = view.data?.activeRun?.id ?? null;
  // Live items belong to the run in progress: once the history holds it (the next one, or none), they go.
  const live = useLiveRun({ scope: activeRunId });
  const followLive = live.follow;
  useEffect(() => {
    if (!activeRunId || !token) return;
    followLive({ id: activeRunId }, { shared: true, headers: { [SHARE_TOKEN_HEADER]: token }, onDone: () => void queryClient.invalidateQueries({ queryKey: ['shared', token] }) });
  }, [activeRunId, token, queryClient, followLive]);

  const items = useMemo(() => [...(view.data?.items ?? []), ...live.items], [view.data, live.items]);
  const attachmentUrl = useSharedAttachmentUrls(items, token);
  const off = token === null || view.data === null;
  return (
    <div className="app shared">
      <header className="topbar">
        <h1 className="title">
          <strong>Tether</strong> <span className="workspace">{workspace}</span>
          {view.data?.conversation.title && <> · {view.data.conversation.title}</>}
        </h1>
        <span className="badge">Read-only</span>
        {!off && token && (
          <button type="button" onClick={() => void downloadMarkdown(token)}>
            Export
          </button>
        )}
      </header>
      <main className="chat">
        {off ? (
          <p className="notice notice-info" role="status">
            This share link is off: its owner turned it off, or the conversation is gone.
          </p>
        ) : view.error ? (
          <p className="notice notice-error" role="alert">
            Could not load the conversation: {view.error.message}
          </p>
        ) : view.isPending ? (
          <p className="muted" role="status">
            Loading conversation…
          </p>
        ) : (
          <MessageList items={items} busy={activeRunId !== null} decide={null} readOnly attachmentUrl={attachmentUrl} empty={<p className="muted">Nothing here yet.</p>} />
        )}
      </main>
    </div>
  );
}

/** The shared conversation as Markdown: fetched with the token in its header (a link can't carry it), then saved. */
async function downloadMarkdown(token: string) {
  const response = await fetch('/api/shared/export', { headers: { [SHARE_TOKEN_HEADER]: token } });
  if (!response.ok) return;
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'tether-conversation.md';
  const link = Object.assign(document.createElement('a'), { href: URL.createObjectURL(await response.blob()), download: name });
  link.click();
  URL.revokeObjectURL(link.href);
}

const noChanges = () => () => {};
const POLL_MS = 5_000;
