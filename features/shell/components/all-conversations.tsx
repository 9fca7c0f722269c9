'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ModalDialog } from '@/lib/modal-dialog';
import { fetchAllConversations } from '../api/chat-api';
import { relativeTime } from '@/lib/relative-time';

/**
 * "See all": every conversation the server still keeps for this visitor in the workspace (Recent
 * shows this browser's 10 latest); picking one opens it.
 */
export function AllConversations({ onOpen }: { onOpen: (id: string) => void }) {
  const [open, setOpen] = useState(false);
  const list = useQuery({ queryKey: ['all-conversations'], queryFn: fetchAllConversations, enabled: open, staleTime: 0, gcTime: 0 });
  return (
    <ModalDialog label="See all" title="All conversations" buttonClassName="link-button see-all" onOpenChange={setOpen}>
      {list.isPending && open && (
        <p className="muted" role="status">
          Loading…
        </p>
      )}
      {list.error && (
        <p className="notice notice-error" role="alert">
          {list.error.message}
        </p>
      )}
      {list.data?.length === 0 && <p className="muted">No conversations on the server yet.</p>}
      {list.data && list.data.length > 0 && (
        <ul className="all-conversations">
          {list.data.map((conversation) => (
            <li key={conversation.id}>
              <button
                type="button"
                onClick={(event) => {
                  event.currentTarget.closest('dialog')?.close();
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
    </ModalDialog>
  );
}
