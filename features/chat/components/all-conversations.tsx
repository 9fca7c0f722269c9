'use client';

import { useQuery } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { keepTabInside } from '@/lib/keep-tab-inside';
import { fetchAllConversations } from '../api/chat-api';
import { relativeTime } from '../relative-time';

/**
 * "See all": every conversation the server still keeps for this visitor in the workspace (Recent
 * shows this browser's 10 latest), in a modal dialog; picking one opens it.
 */
export function AllConversations({ onOpen }: { onOpen: (id: string) => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const [open, setOpen] = useState(false);
  const list = useQuery({ queryKey: ['all-conversations'], queryFn: fetchAllConversations, enabled: open, staleTime: 0, gcTime: 0 });
  const show = () => {
    setOpen(true);
    dialog.current?.showModal();
  };
  return (
    <>
      <button type="button" className="link-button see-all" ref={opener} onClick={show}>
        See all
      </button>
      <dialog
        ref={dialog}
        className="settings-dialog"
        aria-labelledby="all-conversations-title"
        onClose={() => {
          setOpen(false);
          opener.current?.focus();
        }}
        onKeyDown={keepTabInside}
      >
        <h2 id="all-conversations-title">All conversations</h2>
        {list.isPending && open && <p className="muted" role="status">Loading…</p>}
        {list.error && <p className="notice notice-error" role="alert">{list.error.message}</p>}
        {list.data?.length === 0 && <p className="muted">No conversations on the server yet.</p>}
        {list.data && list.data.length > 0 && (
          <ul className="all-conversations">
            {list.data.map((conversation) => (
              <li key={conversation.id}>
                <button
                  type="button"
                  onClick={() => {
                    dialog.current?.close();
                    onOpen(conversation.id);
                  }}
                >
                  <span className="preview">{conversation.title || 'Untitled conversation'}</span>
                  <time className="meta" dateTime={conversation.lastActivityAt} title={new Date(conversation.lastActivityAt).toLocaleString()}>
                    {relativeTime(Date.parse(conversation.lastActivityAt))}
                  </time>
                </button>
              </li>
            ))}
          </ul>
        )}
        <form method="dialog">
          <button type="submit">Close</button>
        </form>
      </dialog>
    </>
  );
}
