'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Dialog } from '@/lib/modal-dialog';
import { fetchSharing, shareConversation, stopSharing } from '../api/sharing-api';
import { LinkField } from './link-field';

/**
 * "Share read-only", shown while `open`: a link anyone can open to read the history and watch
 * live runs, nothing more. Sharing again makes a new link (the old one stops); "Turn off sharing"
 * stops it at once.
 */
export function ShareDialog({ conversationId, open, onClose }: { conversationId: string; open: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const sharingKey = ['sharing', conversationId] as const;
  const sharing = useQuery({ queryKey: sharingKey, queryFn: () => fetchSharing(conversationId), enabled: open });
  const share = useMutation({ mutationFn: () => shareConversation(conversationId), onSuccess: () => queryClient.setQueryData(sharingKey, true) });
  const stop = useMutation({
    mutationFn: () => stopSharing(conversationId),
    onSuccess: () => {
      queryClient.setQueryData(sharingKey, false);
      share.reset();
    },
  });
  return (
    <Dialog open={open} onClose={onClose} title="Share read-only">
      <section>
        <p className="muted">Whoever has the link can read this conversation and watch its runs: not send, stop, approve, or see the files.</p>
        {share.data && sharing.data && <LinkField label="Share link" url={share.data.url} />}
        {sharing.data && !share.data && <p role="status">A read-only link is on.</p>}
        <div className="share-actions">
          <button type="button" disabled={share.isPending} onClick={() => share.mutate()}>
            {sharing.data ? 'New share link' : 'Share read-only'}
          </button>
          {sharing.data && (
            <button type="button" disabled={stop.isPending} onClick={() => stop.mutate()}>
              Turn off sharing
            </button>
          )}
        </div>
        {(share.error ?? stop.error) && (
          <p className="notice notice-error" role="alert">
            {(share.error ?? stop.error)!.message}
          </p>
        )}
      </section>
    </Dialog>
  );
}
