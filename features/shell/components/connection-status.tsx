'use client';

import type { ConnectionState } from '@/features/timeline';

const labels: Record<ConnectionState, string> = {
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline — will resume when back online',
};

/**
 * The followed run's connection, in the header. The live region stays mounted (empty when no run
 * is followed) so screen readers announce each change rather than missing the first one.
 */
export function ConnectionStatus({ state }: { state: ConnectionState | null }) {
  return (
    <span className={state ? `connection connection-${state}` : 'connection'} role="status" aria-live="polite" data-testid="connection-status">
      {state && labels[state]}
    </span>
  );
}
