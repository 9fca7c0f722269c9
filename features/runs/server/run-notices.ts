import 'server-only';

/** A run ended, as other features hear it (push notifications, for one). */
export type RunFinished = {
  conversationId: string;
  status: 'completed' | 'failed' | 'stopped' | 'interrupted';
  model: string;
  mode: string;
  /** The failure's message, for a failed run. */
  error: string | null;
  /** The answer's final text (after the last tool call), for an optional preview. */
  answer: string;
  /** A visible tab was attached to the run when it ended: the user saw it finish. */
  watched: boolean;
};

/** A run in ask mode waits for the visitor to allow or deny a tool call. */
export type ApprovalNeeded = {
  conversationId: string;
  model: string;
  mode: string;
  /** What the agent wants to do: "edit src/greet.ts", "run npm test". */
  summary: string;
  /** A visible tab is attached to the run: the card is in front of the user already. */
  watched: boolean;
};

type Listeners = { finished: Set<(run: RunFinished) => void>; approvalNeeded: Set<(approval: ApprovalNeeded) => void> };

// Route handlers and instrumentation get separate module copies: the listeners live on globalThis.
const store = globalThis as { tetherRunNotices?: Listeners };
const listeners = (store.tetherRunNotices ??= { finished: new Set(), approvalNeeded: new Set() });

/**
 * What runs tell the rest of the app, without knowing who listens: the runs feature imports no
 * other feature's code (a lint fence holds it), and a listener (push, at start) subscribes here.
 * Listeners are called synchronously and must not throw or wait: they own their errors.
 */
export function onRunFinished(listener: (run: RunFinished) => void): () => void {
  listeners.finished.add(listener);
  return () => listeners.finished.delete(listener);
}

export function onApprovalNeeded(listener: (approval: ApprovalNeeded) => void): () => void {
  listeners.approvalNeeded.add(listener);
  return () => listeners.approvalNeeded.delete(listener);
}

export function announceRunFinished(run: RunFinished): void {
  for (const listener of listeners.finished) listener(run);
}

export function announceApprovalNeeded(approval: ApprovalNeeded): void {
  for (const listener of listeners.approvalNeeded) listener(approval);
}
