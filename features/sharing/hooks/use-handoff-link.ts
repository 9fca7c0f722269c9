'use client';

import { useEffect, useState } from 'react';
import { redeemHandoff } from '../api/sharing-api';

/** A handoff link's token (`#handoff=…`), taken out of the address bar and the history at once; null without one. */
export function takeHandoffToken(): string | null {
  const token = new URLSearchParams(window.location.hash.slice(1)).get('handoff');
  if (token) window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
  return token;
}

/**
 * Opened from a handoff link: its token (in the fragment, which no server log or Referer sees)
 * leaves the address bar and the history at once, then makes this browser a device of that
 * conversation, which `open` opens (then `ready`). A used, expired or unknown link says so: the error returned.
 */
export function useHandoffLink(open: (conversationId: string) => Promise<unknown>, ready: () => void): string | null {
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const token = takeHandoffToken();
    if (!token) return;
    redeemHandoff(token).then(
      (id) => void open(id).then(ready),
      (reason: unknown) => setError(reason instanceof Error ? reason.message : String(reason)),
    );
    // Once per page load: `ready` may change each render, and a used token is gone from the address.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);
  return error;
}
