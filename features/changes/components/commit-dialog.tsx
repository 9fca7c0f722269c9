'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import type { BranchLog } from '@/features/workspaces';
import { Dialog } from '@/lib/modal-dialog';
import { relativeTime } from '@/lib/relative-time';
import { commitConversation, fetchBranchLog } from '../api/changes-api';

/**
 * "Commit", in a workspace where each conversation has its own git worktree: the conversation's
 * files as one commit on its branch, with a message suggested from its title (editable), then the
 * commit's id and the branch's commits the repository's HEAD doesn't have yet. Merging them is
 * the operator's (README, "Worktree isolation"). Mounted for each opening, so each starts from
 * the title again.
 */
export function CommitDialog({ conversationId, title, open, onClose }: { conversationId: string; title: string | undefined; open: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const key = ['branch-log', conversationId];
  const log = useQuery({ queryKey: key, queryFn: () => fetchBranchLog(conversationId), enabled: open, staleTime: 0 });
  const [message, setMessage] = useState(title ?? '');
  const messageId = useId();
  const commit = useMutation({
    mutationFn: () => commitConversation(conversationId, message),
    onSuccess: (made) => queryClient.setQueryData<BranchLog>(key, { branch: made.branch, commits: made.commits }),
  });
  const branch = log.data?.branch;
  return (
    <Dialog open={open} onClose={onClose} title="Commit" className="commit-dialog">
      <form
        className="commit-form"
        onSubmit={(event) => {
          event.preventDefault();
          commit.mutate();
        }}
      >
        <p className="muted">
          Commits this conversation&apos;s files on its own branch
          {branch ? (
            <>
              {' '}
              <code>{branch}</code>
            </>
          ) : null}
          . Merging it is for whoever runs this workspace.
        </p>
        <label htmlFor={messageId}>Commit message</label>
        <textarea id={messageId} value={message} onChange={(event) => setMessage(event.target.value)} rows={3} required maxLength={10_000} />
        <button type="submit" disabled={commit.isPending || message.trim() === ''}>
          {commit.isPending ? 'Committing…' : 'Commit'}
        </button>
      </form>
      {commit.data && (
        <p role="status" data-testid="commit-made">
          Committed <code>{commit.data.commit.slice(0, 12)}</code> on <code>{commit.data.branch}</code>.
        </p>
      )}
      {(commit.error ?? log.error) && (
        <p className="notice notice-error" role="alert">
          {(commit.error ?? log.error)!.message}
        </p>
      )}
      {log.data && (
        <section aria-label={`Commits on ${log.data.branch}`}>
          <h3>Commits on {log.data.branch}</h3>
          {log.data.commits.length === 0 ? (
            <p className="muted">None yet that the main branch doesn&apos;t have.</p>
          ) : (
            <ol className="branch-commits" data-testid="branch-commits">
              {log.data.commits.map((item) => (
                <li key={item.id}>
                  <code>{item.id.slice(0, 7)}</code> {item.subject} <span className="muted">{relativeTime(Date.parse(item.committedAt))}</span>
                </li>
              ))}
            </ol>
          )}
        </section>
      )}
    </Dialog>
  );
}
