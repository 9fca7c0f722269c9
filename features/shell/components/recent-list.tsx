'use client';

import type { ConversationStatus, RecentConversation } from '@/features/conversations';
import { useConversationStatuses } from '../hooks/use-conversation-statuses';
import { AllConversations } from './all-conversations';
import { relativeTime } from '@/lib/relative-time';

type Badge = 'working' | 'new' | null;

/** "Working" while its run goes on; "New" when a run finished since this browser last showed it. */
function badgeFor(entry: RecentConversation, status: ConversationStatus | undefined, shown: boolean): Badge {
  if (status?.lastRunStatus === 'running') return 'working';
  if (!shown && status?.lastRunFinishedAt && Date.parse(status.lastRunFinishedAt) > entry.lastViewedAt) return 'new';
  return null;
}

export function RecentList({ recent, currentId, onOpen, onClearAll }: { recent: RecentConversation[]; currentId: string | null; onOpen: (id: string) => void; onClearAll: () => void }) {
  const statuses = useConversationStatuses({ ids: recent.map((entry) => entry.conversationId), currentId });
  return (
    <nav className="recent" aria-label="Recent conversations">
      <h2>Recent</h2>
      {recent.length === 0 && <p className="muted">No conversations yet.</p>}
      <ul>
        {recent.map((entry) => {
          const status = statuses.get(entry.conversationId);
          const badge = badgeFor(entry, status, entry.conversationId === currentId);
          return (
            <li key={entry.conversationId} data-run-status={status?.lastRunStatus ?? undefined}>
              <button type="button" aria-current={entry.conversationId === currentId ? 'true' : undefined} onClick={() => onOpen(entry.conversationId)}>
                <span className="preview-row">
                  <span className="preview">{entry.preview || 'New conversation'}</span>
                  {badge === 'working' && (
                    <span className="badge badge-working" data-testid="recent-badge">
                      Working<span className="visually-hidden"> (the agent is still on it)</span>
                    </span>
                  )}
                  {badge === 'new' && (
                    <span className="badge badge-new" data-testid="recent-badge">
                      New<span className="visually-hidden"> (finished since you last looked)</span>
                    </span>
                  )}
                </span>
                <span className="meta">
                  {entry.messageCount} messages ·{' '}
                  <time dateTime={new Date(entry.lastActivity).toISOString()} title={new Date(entry.lastActivity).toLocaleString()}>
                    {relativeTime(entry.lastActivity)}
                  </time>
                </span>
              </button>
            </li>
          );
        })}
      </ul>
      <div className="recent-actions">
        <AllConversations onOpen={onOpen} />
        {recent.length > 0 && (
          <button type="button" className="link-button" onClick={onClearAll}>
            Clear all
          </button>
        )}
      </div>
    </nav>
  );
}
