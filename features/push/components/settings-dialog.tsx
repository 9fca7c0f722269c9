'use client';

import { useConversationsStore } from '@/features/conversations';
import { ModalDialog } from '@/lib/modal-dialog';
import type { Push } from '../hooks/use-push';
import { BLOCKED_HELP, IOS_GUIDANCE, UNSUPPORTED } from './conversation-notifications';

/**
 * This browser's preferences: whether notifications show a preview, and what this device is
 * subscribed to, with a way to stop all of it.
 */
export function SettingsDialog({ push }: { push: Push }) {
  const { showPreview } = useConversationsStore((state) => state.notifications);
  const update = useConversationsStore((state) => state.setNotificationSettings);
  return (
    <ModalDialog label="Settings" title="Settings" buttonClassName="settings-button">
      <section aria-labelledby="device-notifications-title">
        <h3 id="device-notifications-title">Notifications on this device</h3>
        <p>{deviceState(push)}</p>
        {push.followedCount > 0 && (
          <button type="button" onClick={push.stopAll}>
            Turn off on this device
          </button>
        )}
        <label>
          <input type="checkbox" checked={showPreview} onChange={(event) => update({ showPreview: event.target.checked })} />
          Show the answer’s first words in notifications
        </label>
      </section>
    </ModalDialog>
  );
}

function deviceState(push: Push): string {
  if (push.support === 'unsupported') return UNSUPPORTED;
  if (push.support === 'ios-browser') return IOS_GUIDANCE;
  if (push.permission === 'denied') return BLOCKED_HELP;
  if (push.followedCount === 0) return 'Not subscribed: use “Notify me when done” in a conversation.';
  return `Subscribed for ${push.followedCount} ${push.followedCount === 1 ? 'conversation' : 'conversations'}.`;
}
