import type { ChatItem } from '@/features/timeline';

/** The model's extended thinking: folded by default ("Thinking…" while it streams, then how long it took). */
export function ThinkingView({ item }: { item: Extract<ChatItem, { kind: 'thinking' }> }) {
  const label = !item.done ? 'Thinking…' : item.durationMs !== null ? `Thought for ${Math.max(1, Math.round(item.durationMs / 1000))} s` : 'Thought';
  return (
    <details className="thinking" data-testid="thinking" data-done={item.done}>
      <summary>
        <span role={item.done ? undefined : 'status'}>{label}</span>
      </summary>
      {item.redacted ? (
        <p className="thinking-text">The provider keeps this thinking encrypted, so it can't be shown.</p>
      ) : (
        <div className="thinking-text" tabIndex={0}>
          {item.text}
        </div>
      )}
    </details>
  );
}
