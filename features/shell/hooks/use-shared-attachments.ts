'use client';

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AttachmentUrl } from '@/features/attachments';
import { SHARE_TOKEN_HEADER } from '@/features/sharing';
import type { ChatItem } from '@/features/timeline';

/**
 * The shared conversation's attachments as object URLs. The share token travels in a header (an
 * address would carry it into logs and history), which an <img> can't send, so each attachment is
 * fetched once with it and shown from its bytes. The server's type is kept on the bytes, and it is
 * never HTML (images, PDFs, plain text, octet streams), so a chip opened in a tab can't run.
 */
export function useSharedAttachmentUrls(items: ChatItem[], token: string | null): AttachmentUrl {
  // Made here, for revoking; the state is what renders.
  const made = useRef(new Map<string, string>());
  const [urls, setUrls] = useState<ReadonlyMap<string, string>>(new Map());
  const wanted = useMemo(() => items.flatMap((item) => (item.kind === 'user' ? (item.attachments ?? []).map(({ id }) => id) : [])).join(' '), [items]);

  useEffect(() => {
    if (!token || !wanted) return;
    const controller = new AbortController();
    for (const id of wanted.split(' ').filter((id) => !made.current.has(id))) {
      void fetch(`/api/shared/attachments/${id}`, { headers: { [SHARE_TOKEN_HEADER]: token }, signal: controller.signal })
        .then(async (response) => {
          if (!response.ok) return;
          const url = URL.createObjectURL(await response.blob());
          made.current.set(id, url);
          setUrls((known) => new Map(known).set(id, url));
        })
        // Aborted, offline or refused: the attachment's name shows without it.
        .catch(() => {});
    }
    return () => controller.abort();
  }, [wanted, token]);

  useEffect(() => {
    const mine = made.current;
    return () => {
      for (const url of mine.values()) URL.revokeObjectURL(url);
      mine.clear();
      setUrls(new Map());
    };
  }, []);

  return useCallback((id: string) => urls.get(id) ?? null, [urls]);
}
