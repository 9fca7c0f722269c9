'use client';

import { useQuery } from '@tanstack/react-query';
import { Dialog } from '@/lib/modal-dialog';
import { conversationPatchUrl, fetchConversationChanges } from '../api/changes-api';
import { ChangedFile } from './changed-file';

/**
 * "Changes in this conversation", shown while `open`: everything its runs changed that is still
 * there, from the workspace before its first run to now, listed as a run's Changes are, and
 * "Download patch" to take it away. Worked out again at each opening: the files may have changed.
 */
export function ConversationChangesDialog({ conversationId, open, onClose }: { conversationId: string; open: boolean; onClose: () => void }) {
  const changes = useQuery({
    queryKey: ['conversation-changes', conversationId],
    queryFn: () => fetchConversationChanges(conversationId),
    enabled: open,
    staleTime: 0,
  });
  const files = changes.data;
  const notKept = files?.some((file) => !file.restorable) ?? false;
  return (
    <Dialog open={open} onClose={onClose} title="Changes in this conversation" className="conversation-changes-dialog">
      <section aria-label="Changes in this conversation" data-testid="conversation-changes" aria-busy={changes.isFetching}>
        {changes.isPending && open && <p role="status">Working out the changes…</p>}
        {changes.error && (
          <p className="notice notice-error" role="alert">
            {changes.error.message}
          </p>
        )}
        {files?.length === 0 && <p role="status">No files are changed: its runs changed none, or they are back as they were before it.</p>}
        {files && files.length > 0 && (
          <>
            <p className="muted">
              {files.length} {files.length === 1 ? 'file' : 'files'} changed since its first run, as they are now (edits by hand to them included).
            </p>
            <ul className="changes-files">
              {files.map((file) => (
                <li key={file.path} data-kind={file.kind}>
                  <ChangedFile file={file} />
                </li>
              ))}
            </ul>
            {notKept && <p className="muted">Files not kept in the snapshots are not in the patch.</p>}
            <div className="changes-actions">
              <a className="download-button" href={conversationPatchUrl(conversationId)} download>
                Download patch
              </a>
            </div>
          </>
        )}
      </section>
    </Dialog>
  );
}
