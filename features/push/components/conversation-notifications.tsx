'use client';

import { useMutation } from '@tanstack/react-query';
import { setConversationMuted } from '../api/push-api';
import type { Push } from '../hooks/use-push';

type Props = { push: Push; conversationId: string; muted: boolean; onMutedChange: (muted: boolean) => void };

/**
 * One control for this conversation's notifications, saying where it stands: "Notify me when
 * done" (the click is the gesture browsers require to ask), "Notifications on · Mute", muted,
 * blocked in the browser's settings, or how to get them on an iPhone. Mute is kept on the server
 * and silences every device.
 */
export function ConversationNotifications({ push, conversationId, muted, onMutedChange }: Props) {
  const mute = useMutation({
    mutationFn: (next: boolean) => setConversationMuted({ conversationId, muted: next }),
    onMutate: (next) => onMutedChange(next),
    onSuccess: (saved) => onMutedChange(saved),
    onError: (_error, next) => onMutedChange(!next),
  });
  return (
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
  if (push.support === 'unsupported') return null;
  if (push.support === 'ios-browser')
    return (
      <p className="push-offer muted" role="note">
        {IOS_GUIDANCE}
      </p>
    );
  if (push.permission === 'denied') {
    return (
      <span className="push-offer" role="note" title={BLOCKED_HELP}>
        Blocked in browser settings
      </span>
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

export const IOS_GUIDANCE = 'To get notifications on iPhone or iPad: tap Share, then “Add to Home Screen”, and open Tether from there.';
export const BLOCKED_HELP =
  'Notifications are blocked for this site. Allow them in the site settings (the icon left of the address; on iPhone or iPad: Settings → Notifications → Tether), then reload.';
