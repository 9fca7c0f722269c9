import 'server-only';
import { slidingWindow } from './sliding-window';
import type { LimitStore } from './store';

const DAY_SECONDS = 24 * 60 * 60;
const KIB = 1024;

export type AllowanceTaken = { ok: true; giveBack: () => Promise<void> } | { ok: false; retryAfterSeconds: number };

/**
 * The attachments one visitor may upload in any 24 h (sliding), counted in KiB: a day's worth of
 * bytes could pass what a store's integer counts hold, a day's KiB never does. Off at 0 MiB.
 */
export function attachmentAllowance(store: LimitStore, { mbPerDay }: { mbPerDay: number }) {
  const window = mbPerDay > 0 ? slidingWindow(store, { name: 'attachment-kib-per-day', limit: Math.round(mbPerDay * KIB), windowSeconds: DAY_SECONDS }) : null;
  return {
    mbPerDay,
    /**
     * Counts an upload of `bytes` unless it would pass the allowance. An admitted one comes with the
     * function that gives it back, for an upload then refused for another reason (once; later calls
     * do nothing).
     */
    async take({ visitorId, bytes }: { visitorId: string; bytes: number }): Promise<AllowanceTaken> {
      if (!window) return { ok: true, giveBack: async () => {} };
      // Rounded up: a run of tiny files still costs something each.
      const kib = Math.max(1, Math.ceil(bytes / KIB));
      const takenAt = Date.now();
      const verdict = await window.take(visitorId, kib, takenAt);
      if (!verdict.ok) return verdict;
      let given = false;
      return {
        ok: true,
        giveBack: async () => {
          if (given) return;
          given = true;
          await window.giveBack(visitorId, kib, takenAt);
        },
      };
    },
  };
}

export type AttachmentAllowance = ReturnType<typeof attachmentAllowance>;
