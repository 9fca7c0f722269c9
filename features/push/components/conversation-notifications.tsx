'use client';

import { useMutation } from '@tanstack/react-query';
import { Dialog } from '@/lib/modal-dialog';
import { setConversationMuted } from '../api/push-api';
import type { Push } from '../hooks/use-push';

type Props = { push: Push; conversationId: string; muted: boolean; onMutedChange: (muted: boolean) => void; open: boolean; onClose: () => void };

/**
 * The dialog for this conversation's notifications, with one control saying where they stand:
 * "Notify me when done" (the click is the gesture browsers require to ask), "Notifications on ·
 * Mute", muted, blocked in the browser's settings, or how to get them on an iPhone. Mute is kept
 * on the server and silences every device.
 */
export function ConversationNotifications({ push, conversationId, muted, onMutedChange, open, onClose }: Props) {
  const mute = useMutation({
    mutationFn: (next: boolean) => setConversationMuted({ conversationId, muted: next }),
    onMutate: (next) => onMutedChange(next),
    onSuccess: (saved) => onMutedChange(saved),
    onError: (_error, next) => onMutedChange(!next),
  });
  return (
    <Dialog open={open} onClose={onClose} title="Notifications">
      <section>
        <p className="muted">A notification comes when a run here ends, or waits for your approval, while you are not watching.</p>
        <div className="notifications-control">
          <ControlState push={push} muted={muted} setMuted={(next) => mute.mutate(next)} pending={mute.isPending} />
          {mute.error && (
            <span className="notice-error" role="alert">
              {mute.error.message}
            </span>
          )}
          {push.error && (
            <span className="notice-error" role="alert">
              Could not turn notifications on: {push.error}
            </span>
          )}
        </div>
      </section>
    </Dialog>
  );
}

function ControlState({ push, muted, setMuted, pending }: { push: Push; muted: boolean; setMuted: (muted: boolean) => void; pending: boolean }) {
  if (muted) {
    return (
      <>
        <span role="status">Notifications muted</span> ·{' '}
        <button type="button" className="link-button" disabled={pending} onClick={() => setMuted(false)}>
          Unmute
        </button>
      </>
    );
  }
  if (push.support === 'unsupported')
    return (
      <p className="push-offer" role="note">
        {UNSUPPORTED}
      </p>
    );
  if (push.support === 'ios-browser')
    return (
      <p className="push-offer muted" role="note">
        {IOS_GUIDANCE}
      </p>
    );
  if (push.permission === 'denied') {
    return (
      <p className="push-offer" role="note">
        {BLOCKED_HELP}
      </p>
    );
  }
  if (push.following) {
    return (
      <>
        <span role="status">Notifications on</span> ·{' '}
        <button type="button" className="link-button" disabled={pending} onClick={() => setMuted(true)}>
          Mute
        </button>
      </>
    );
  }
  return (
    <button type="button" onClick={() => void push.follow()} disabled={push.busy}>
      Notify me when done
    </button>
  );
}

export const UNSUPPORTED = 'This browser can’t show notifications.';
export const IOS_GUIDANCE = 'To get notifications on iPhone or iPad: tap Share, then “Add to Home Screen”, and open Tether from there.';
export const BLOCKED_HELP =
  'Notifications are blocked for this site. Allow them in the site settings (the icon left of the address; on iPhone or iPad: Settings → Notifications → Tether), then reload.';
