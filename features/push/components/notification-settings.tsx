'use client';

import { useConversationsStore } from '@/features/conversations';

/** This browser's notification settings (kept with the conversations in localStorage). */
export function NotificationSettings() {
  const { enabled, showPreview } = useConversationsStore((state) => state.notifications);
  const update = useConversationsStore((state) => state.setNotificationSettings);
  return (
    <section className="settings" aria-labelledby="notification-settings-title">
      <h2 id="notification-settings-title">Notifications</h2>
      <label>
        <input type="checkbox" checked={enabled} onChange={(event) => update({ enabled: event.target.checked })} />
        Notify me when a run finishes
      </label>
      <label>
        <input type="checkbox" checked={showPreview} disabled={!enabled} onChange={(event) => update({ showPreview: event.target.checked })} />
        Show message preview
      </label>
    </section>
  );
}
