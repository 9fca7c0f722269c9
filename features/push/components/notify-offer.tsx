'use client';

import type { usePush } from '../hooks/use-push';

type Props = { push: ReturnType<typeof usePush> };

/**
 * Shown once the visitor has sent a message: a button that asks for notifications (the click is
 * the gesture browsers require), or why it can't be offered here and what to do about it.
 */
export function NotifyOffer({ push }: Props) {
  if (!push.enabled || push.support === 'unsupported') return null;
  if (push.support === 'ios-browser') {
    return (
      <p className="notice notice-info push-offer" role="note">
        Add to Home Screen to get notifications: tap Share, then “Add to Home Screen”, and open Tether from there.
      </p>
    );
  }
  if (push.permission === 'denied') {
    return (
      <p className="notice notice-info push-offer" role="note">
        Notifications are blocked for this site. To get them, allow notifications in the site settings (the icon
        left of the address; on iPhone or iPad: Settings → Notifications → Tether), then reload.
      </p>
    );
  }
  if (push.following) {
    return (
      <p className="push-offer muted" role="status">
        You’ll get a notification when the agent is done.
      </p>
    );
  }
  return (
    <div className="push-offer">
      <button type="button" onClick={() => void push.follow()} disabled={push.busy}>
        Notify me when done
      </button>
      {push.error && (
        <span className="notice-error" role="alert">
          Could not turn notifications on: {push.error}
        </span>
      )}
    </div>
  );
}
