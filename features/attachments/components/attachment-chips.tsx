'use client';

import { formatFileSize } from '../file-size';
import type { AttachmentDraft } from '../hooks/use-attachment-drafts';

/** The files picked for the next message, above the message box: each with its picture or name, its size, its state, and ✕. */
export function AttachmentChips({ drafts, onRemove }: { drafts: AttachmentDraft[]; onRemove: (key: string) => void }) {
  if (drafts.length === 0) return null;
  return (
    <ul className="attachment-chips" aria-label="Files to send">
      {drafts.map((draft) => (
        <li key={draft.key} className={draft.error ? 'attachment-chip refused' : 'attachment-chip'} data-testid="attachment-chip">
          {draft.preview ? <img src={draft.preview} alt="" className="attachment-thumb" /> : <span aria-hidden="true">📄</span>}
          <span className="attachment-name">{draft.name}</span>
          <span className="muted">{formatFileSize(draft.size)}</span>
          {draft.error ? (
            <span className="attachment-error" role="alert">
              {draft.error}
            </span>
          ) : (
            !draft.attachment && (
              <span className="muted" role="status">
                Uploading…
              </span>
            )
          )}
          <button type="button" className="link-button" aria-label={`Remove ${draft.name}`} onClick={() => onRemove(draft.key)}>
            ✕
          </button>
        </li>
      ))}
    </ul>
  );
}
