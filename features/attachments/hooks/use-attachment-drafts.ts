'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { requestJson } from '@/lib/api-client';
import { ATTACHMENT_NAME_HEADER, encodeAttachmentName } from '../attachment-name';
import { formatFileSize } from '../file-size';
import { prepareImage } from '../prepare-image';
import type { Attachment } from '../types';

export type AttachmentLimits = { perMessage: number; fileBytes: number; messageBytes: number };

/**
 * A file picked for the next message: uploading, uploaded (`attachment`), or refused (`error`).
 * `prefilled`: the last message's, put back by Edit; it was uploaded and sent with that message,
 * which keeps it when its chip is removed.
 */
export type AttachmentDraft = { key: string; name: string; size: number; preview: string | null; attachment: Attachment | null; error: string | null; prefilled?: boolean };

/**
 * The files picked for the next message. Each is checked against the limits before it is sent
 * (the server checks them again), uploaded at once (images first made the model's size), and
 * removable; the message takes the uploaded ones' ids. Edit puts the last message's files back
 * (`prefill`), as chips of files already uploaded.
 */
export function useAttachmentDrafts({ conversationId, limits }: { conversationId: string | null; limits: AttachmentLimits }) {
  const [drafts, setDrafts] = useState<AttachmentDraft[]>([]);
  // The list as of now, for the uploads that outlive a render (each change goes to both).
  const current = useRef<AttachmentDraft[]>([]);
  const change = useCallback((next: (all: AttachmentDraft[]) => AttachmentDraft[]) => {
    current.current = next(current.current);
    setDrafts(current.current);
  }, []);
  const update = useCallback((key: string, fields: Partial<AttachmentDraft>) => change((all) => all.map((draft) => (draft.key === key ? { ...draft, ...fields } : draft))), [change]);

  const add = useCallback(
    async (files: File[]) => {
      if (!conversationId) return;
      for (const picked of files) {
        const key = crypto.randomUUID();
        const kept = current.current.filter((draft) => !draft.error);
        const refusal =
          kept.length >= limits.perMessage
            ? `A message takes at most ${limits.perMessage} files.`
            : picked.size > limits.fileBytes && !picked.type.startsWith('image/')
              ? `${picked.name} is ${formatFileSize(picked.size)}: the most is ${formatFileSize(limits.fileBytes)}.`
              : null;
        const preview = picked.type.startsWith('image/') ? URL.createObjectURL(picked) : null;
        const draft: AttachmentDraft = { key, name: picked.name, size: picked.size, preview, attachment: null, error: refusal };
        change((all) => [...all, draft]);
        if (refusal) continue;
        const file = picked.type.startsWith('image/') ? await prepareImage(picked) : picked;
        const total = kept.reduce((sum, other) => sum + other.size, 0) + file.size;
        if (file.size > limits.fileBytes || total > limits.messageBytes) {
          update(key, { error: `${picked.name} is ${formatFileSize(file.size)}: a file may be ${formatFileSize(limits.fileBytes)}, a message's files ${formatFileSize(limits.messageBytes)}.` });
          continue;
        }
        try {
          const { attachment } = await requestJson<{ attachment: Attachment }>(`/api/conversations/${conversationId}/attachments`, {
            method: 'POST',
            body: file,
            headers: { 'content-type': file.type || 'application/octet-stream', [ATTACHMENT_NAME_HEADER]: encodeAttachmentName(file.name) },
          });
          update(key, { attachment, size: attachment.size });
        } catch (error) {
          update(key, { error: error instanceof Error ? error.message : String(error) });
        }
      }
    },
    [conversationId, limits, change, update],
  );

  const remove = useCallback(
    (key: string) => {
      const draft = current.current.find((candidate) => candidate.key === key);
      change((all) => all.filter((candidate) => candidate.key !== key));
      if (draft?.prefilled) return; // it stays with the message it was sent with
      if (draft?.preview) URL.revokeObjectURL(draft.preview);
      // Uploaded but not sent: the server lets it go (it would count toward the next message).
      if (draft?.attachment && conversationId) void fetch(`/api/conversations/${conversationId}/attachments/${draft.attachment.id}`, { method: 'DELETE' });
    },
    [conversationId, change],
  );

  /**
   * Edit: the last message's files, first, in place of any put back before (none: Cancel). Files
   * picked since stay; they are uploads waiting for the next message either way.
   */
  const prefill = useCallback(
    (attachments: Attachment[]) => {
      const chips = attachments.map((attachment): AttachmentDraft => ({
        key: crypto.randomUUID(),
        name: attachment.name,
        size: attachment.size,
        preview: attachment.kind === 'image' && conversationId ? `/api/conversations/${conversationId}/attachments/${attachment.id}` : null,
        attachment,
        error: null,
        prefilled: true,
      }));
      change((all) => [...chips, ...all.filter((draft) => !draft.prefilled)]);
    },
    [conversationId, change],
  );

  /** After a send: the files went with the message. */
  const clear = useCallback(() => {
    for (const draft of current.current) if (draft.preview && !draft.prefilled) URL.revokeObjectURL(draft.preview);
    change(() => []);
  }, [change]);

  // Another conversation opened: its message starts with no files.
  useEffect(() => clear, [conversationId, clear]);

  const uploading = drafts.some((draft) => !draft.attachment && !draft.error);
  const ids = drafts.flatMap((draft) => (draft.attachment ? [draft.attachment.id] : []));
  return { drafts, add, remove, prefill, clear, uploading, ids };
}
