import { modelDisplayName } from '@/features/runs';
import type { ChatItem } from '@/features/timeline';
import { ContextMeter } from './context-meter';

type RunEndItem = Extract<ChatItem, { kind: 'run_end' }>;

/**
 * A run's outcome: status, model, mode, time, tokens, cost and how full the context is. `retry`
 * (on the last one, while no run goes) runs its message again; `branch` makes a new conversation
 * ending with this answer.
 */
export function RunEnd({ item, retry, branch }: { item: RunEndItem; retry: (() => void) | null; branch: (() => void) | null }) {
  return (
    <div className="run-end" data-testid="run-end" data-status={item.status}>
      {item.status === 'interrupted' && (
        <p className="notice notice-error" role="status">
          This run was cut off when the server restarted. Send a message to carry on where it stopped.
        </p>
      )}
      {item.status !== 'completed' && <strong>{item.status} · </strong>}
      {modelDisplayName(item.model)} in {item.mode} mode{item.durationMs !== null && ` · ${formatDuration(item.durationMs)}`}
      {item.inputTokens !== null && ` · ${item.inputTokens.toLocaleString('en')} in / ${(item.outputTokens ?? 0).toLocaleString('en')} out tokens`}
      {item.costUsd !== null && ` · $${item.costUsd.toFixed(4)}`}
      {item.contextTokens !== null && item.contextWindow !== null && (
        <>
          {' · '}
          <ContextMeter tokens={item.contextTokens} window={item.contextWindow} />
        </>
      )}
      {retry && (
        <>
          {' · '}
          <button type="button" className="link-button" onClick={retry}>
            Retry
          </button>
        </>
      )}
      {branch && (
        <>
          {' · '}
          <button type="button" className="link-button" onClick={branch} title="A new conversation with the history up to this answer">
            Branch from here
          </button>
        </>
      )}
    </div>
  );
}

function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
