'use client';

import { useState } from 'react';
import { MAX_APPROVAL_NOTE_CHARS } from '../limits';
import type { DecideApprovalInput } from '../schemas';
import type { ApprovalItem } from '../types';
import { deviceId } from '@/lib/device-id';
import { DiffView } from '@/lib/ui/diff-view';

type Approval = ApprovalItem;
export type Decide = (approvalId: string, input: DecideApprovalInput) => Promise<void>;

/**
 * A tool call the agent waits on in ask mode: what it would do (the diff, the command) and the
 * buttons. Every tab and device of the visitor shows it; the first decision wins everywhere.
 */
export function ApprovalCard({ approval, decide }: { approval: Approval; decide: Decide | null }) {
  const [note, setNote] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const { outcome } = approval;

  async function answer(decision: 'allow' | 'deny', scope: 'once' | 'run' = 'once') {
    if (!decide) return;
    setSending(true);
    setError(null);
    try {
      await decide(approval.id, { decision, scope, device: deviceId(), ...(note.trim() ? { note: note.trim() } : {}) });
    } catch (thrown) {
      setError(thrown instanceof Error ? thrown.message : String(thrown));
    } finally {
      setSending(false);
    }
  }

  return (
    <section
      className={`approval approval-${outcome ? outcome.decision : 'pending'}`}
      aria-label={`Approval: ${approval.summary}`}
      data-testid="approval-card"
      data-state={outcome ? outcome.decision : 'pending'}
      id={`approval-${approval.id}`}
    >
      <p className="approval-title">
        The agent wants to <strong>{approval.summary}</strong>
      </p>
      {approval.detail && <DetailView detail={approval.detail} />}
      {outcome ? (
        <p className="approval-outcome" role="status">
          {describeOutcome(outcome)}
        </p>
      ) : (
        <div className="approval-actions">
          <label className="approval-note">
            <span>Note for the agent (optional)</span>
            <textarea value={note} maxLength={MAX_APPROVAL_NOTE_CHARS} rows={2} onChange={(event) => setNote(event.target.value)} />
          </label>
          <div className="approval-buttons">
            <button type="button" disabled={sending || !decide} onClick={() => void answer('allow')}>
              Allow
            </button>
            <button type="button" disabled={sending || !decide} onClick={() => void answer('allow', 'run')}>
              Allow {approval.tool} for the rest of this run
            </button>
            <button type="button" className="deny" disabled={sending || !decide} onClick={() => void answer('deny')}>
              Deny
            </button>
          </div>
          <p className="muted">If nobody answers by {new Date(approval.expiresAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}, it counts as denied.</p>
          {error && (
            <p className="notice notice-error" role="alert">
              {error}
            </p>
          )}
        </div>
      )}
    </section>
  );
}

/** A proposed edit's diff, or the command, URL or input as plain text. */
function DetailView({ detail }: { detail: string }) {
  const isDiff = /^(Index: |=+$|--- )/m.test(detail) && /^@@ /m.test(detail);
  return isDiff ? <DiffView patch={detail} label="Proposed change" /> : <pre className="approval-detail">{detail}</pre>;
}

function describeOutcome(outcome: NonNullable<Approval['outcome']>): string {
  if (outcome.by === 'expiry') return 'Denied: no answer in time.';
  if (outcome.by === 'stop') return 'Ended: the run was stopped.';
  if (outcome.by === 'restart') return 'The server restarted before an answer: asked again below.';
  const where = outcome.device && outcome.device === storedDeviceId() ? 'on this device' : 'on another device';
  const what = outcome.decision === 'allow' ? (outcome.scope === 'run' ? 'Allowed for the rest of this run' : 'Allowed') : 'Denied';
  return `${what} ${where}.${outcome.note ? ` Note: ${outcome.note}` : ''}`;
}

function storedDeviceId(): string | null {
  try {
    return deviceId();
  } catch {
    return null;
  }
}
