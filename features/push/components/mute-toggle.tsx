'use client';

import { useMutation } from '@tanstack/react-query';
import { setConversationMuted } from '../api/push-api';

type Props = { conversationId: string; muted: boolean; onChange: (muted: boolean) => void };

/** Per-conversation mute, kept on the server: a muted conversation sends no notifications to any device. */
export function MuteToggle({ conversationId, muted, onChange }: Props) {
  const mutation = useMutation({
    mutationFn: (next: boolean) => setConversationMuted({ conversationId, muted: next }),
    onMutate: (next) => onChange(next),
    onSuccess: (saved) => onChange(saved),
    onError: (_error, next) => onChange(!next),
  });
  return (
    <span className="mute-toggle">
      <button type="button" role="switch" aria-checked={muted} disabled={mutation.isPending} onClick={() => mutation.mutate(!muted)}>
        Mute notifications
      </button>
      {mutation.error && (
        <span className="notice-error" role="alert">
          {mutation.error.message}
        </span>
      )}
    </span>
  );
}
