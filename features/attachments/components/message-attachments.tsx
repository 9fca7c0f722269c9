'use client';

import { useState } from 'react';
import { Dialog } from '@/lib/modal-dialog';
import { formatFileSize } from '../file-size';
import type { Attachment, AttachmentUrl } from '../types';

/**
 * A message's attachments: images as thumbnails (a tap shows the whole image, Escape closes it),
 * other files as chips that open or download them. `urlOf` says where an attachment is served
 * (null: nowhere this page can show it, so only its name shows).
 */
export function MessageAttachments({ attachments, urlOf }: { attachments: Attachment[]; urlOf: AttachmentUrl | null }) {
  const [shown, setShown] = useState<Attachment | null>(null);
  const shownUrl = shown && urlOf?.(shown.id);
  if (attachments.length === 0) return null;
  return (
    <ul className="message-attachments" aria-label="Attached files">
      {attachments.map((attachment) => {
        const url = urlOf?.(attachment.id) ?? null;
        const label = `${attachment.name}, ${formatFileSize(attachment.size)}`;
        return (
          <li key={attachment.id}>
            {attachment.kind === 'image' && url ? (
              <button type="button" className="attachment-image" aria-label={`Show ${attachment.name}`} onClick={() => setShown(attachment)}>
                <img src={url} alt={attachment.name} width={attachment.width ?? undefined} height={attachment.height ?? undefined} loading="lazy" data-testid="attachment-thumbnail" />
              </button>
            ) : url ? (
              <a className="attachment-chip" href={url} target="_blank" rel="noopener" title={label}>
                📄 {attachment.name} <span className="muted">{formatFileSize(attachment.size)}</span>
              </a>
            ) : (
              <span className="attachment-chip" title={label}>
                📄 {attachment.name} <span className="muted">{formatFileSize(attachment.size)}</span>
              </span>
            )}
          </li>
        );
      })}
      {shown && shownUrl && (
        <Dialog open onClose={() => setShown(null)} title={shown.name} className="image-viewer">
          <img src={shownUrl} alt={shown.name} />
        </Dialog>
      )}
    </ul>
  );
}
