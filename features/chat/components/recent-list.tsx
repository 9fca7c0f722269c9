'use client';

import type { RecentConversation } from '@/features/conversations';

export function RecentList({ recent, currentId, onOpen }: { recent: RecentConversation[]; currentId: string | null; onOpen: (id: string) => void }) {
  return (
    <nav className="recent" aria-label="Recent conversations">
      <h2>Recent</h2>
      {recent.length === 0 && <p className="muted">No conversations yet.</p>}
      <ul>
        {recent.map((entry) => (
          <li key={entry.conversationId}>
            <button
              type="button"
              aria-current={entry.conversationId === currentId ? 'true' : undefined}
              onClick={() => onOpen(entry.conversationId)}
            >
              <span className="preview">{entry.preview || 'New conversation'}</span>
              <span className="meta">
                {entry.messageCount} messages · {new Date(entry.lastActivity).toLocaleString()}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
