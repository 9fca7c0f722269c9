import 'server-only';
import { serverEnv } from '@/lib/env';

const MIB = 1024 * 1024;

/** The configured limits (lib/env): files per message, and bytes per file and per message. */
export function attachmentLimits(): { perMessage: number; fileBytes: number; messageBytes: number } {
  const env = serverEnv();
  return {
    perMessage: env.TETHER_ATTACHMENTS_PER_MESSAGE,
    fileBytes: Math.floor(env.TETHER_ATTACHMENT_MAX_MB * MIB),
    messageBytes: Math.floor(env.TETHER_ATTACHMENTS_MAX_MB_PER_MESSAGE * MIB),
  };
}
