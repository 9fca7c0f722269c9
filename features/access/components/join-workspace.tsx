'use client';

import { useEffect, useRef, useState } from 'react';
import { isApiError } from '@/lib/api-client';
import { joinWithInvite } from '../api/access-api';
import { LOST_ACCESS_HINT } from './private-workspace';

type State = { phase: 'joining' } | { phase: 'failed'; message: string };

/**
 * An invite link (`/join#<token>`): the token leaves the address bar and the history at once, is
 * posted once, and this browser, now a member, goes on to the workspace.
 */
export function JoinWorkspace({ workspace }: { workspace: string }) {
  const [state, setState] = useState<State>({ phase: 'joining' });
  // Once per page load (React runs a mount's effect twice in development).
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const token = window.location.hash.slice(1);
    window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
    const joined = token ? joinWithInvite(token) : Promise.reject(new Error(`This address needs the whole invite link, with the part after #. ${LOST_ACCESS_HINT}`));
    joined.then(
      () => window.location.replace('/'),
      (reason: unknown) =>
        setState({
          phase: 'failed',
          // A private workspace answers a token it doesn't know as it answers everything from a stranger.
          message: isApiError(reason, 'not_found:workspace', 'not_found:invite')
            ? `This invite link is not valid here: it may have been mistyped or withdrawn. ${LOST_ACCESS_HINT}`
            : reason instanceof Error
              ? reason.message
              : String(reason),
        }),
    );
  }, []);
  return (
    <main className="not-found">
      <h1>Joining {workspace}</h1>
      {state.phase === 'joining' ? (
        <p role="status">Opening the invite…</p>
      ) : (
        <p className="notice notice-error" role="alert">
          {state.message}
        </p>
      )}
    </main>
  );
}
