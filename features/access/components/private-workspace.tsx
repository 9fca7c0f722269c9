'use client';

import { useEffect, useState } from 'react';
import { redeemHandoff, takeHandoffToken } from '@/features/sharing';
import { isApiError } from '@/lib/api-client';

export const LOST_ACCESS_HINT = 'Ask the person who runs this workspace for a new link.';

/**
 * What a private workspace shows anyone who is not one of its members, at any address but /join.
 * A member's handoff link (`/#handoff=…`) lands here too, on a browser that is no member yet:
 * opening it makes this browser one, and its conversation opens.
 */
export function PrivateWorkspace() {
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const token = takeHandoffToken();
    if (!token) return;
    redeemHandoff(token).then(
      (conversationId) => window.location.replace(`/?c=${conversationId}`),
      (reason: unknown) =>
        // A private workspace answers a stranger's unknown token as it answers everything from a stranger.
        setError(
          isApiError(reason, 'not_found:workspace')
            ? 'This handoff link is not valid here: it may have been mistyped, or its conversation is gone.'
            : reason instanceof Error
              ? reason.message
              : String(reason),
        ),
    );
  }, []);
  return (
    <main className="not-found">
      <h1>This workspace is private</h1>
      <p>Only its members can use it: a browser becomes one by opening an invite link. A browser that was a member and lost it (a new browser, cleared cookies) needs a new link.</p>
      <p>{LOST_ACCESS_HINT}</p>
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
    </main>
  );
}
