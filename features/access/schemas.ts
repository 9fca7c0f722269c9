import { z } from 'zod';
import { SECRET_TOKEN_PATTERN } from '@/lib/secret-token';

/** `POST /api/join`: the token from an invite link's fragment. */
export const inviteTokenSchema = z.strictObject({
  token: z.string().regex(SECRET_TOKEN_PATTERN, 'Not an invite token'),
});

const DAY_SECONDS = 24 * 60 * 60;
/** The longest an invite may stay open: a link for "later" should be made later. */
export const MAX_INVITE_SECONDS = 90 * DAY_SECONDS;
export const DEFAULT_INVITE_SECONDS = 7 * DAY_SECONDS;
export const MAX_INVITE_USES = 100;

/** `30m`, `12h`, `7d` → seconds (at most 90 days). */
export const inviteDurationSchema = z
  .string()
  .regex(/^\d{1,4}[mhd]$/, 'a number and m, h or d, such as 7d')
  .transform((value) => Number(value.slice(0, -1)) * { m: 60, h: 60 * 60, d: DAY_SECONDS }[value.slice(-1) as 'm' | 'h' | 'd'])
  .pipe(z.number().int().min(60, 'at least 1m').max(MAX_INVITE_SECONDS, 'at most 90d'));

/** What an invite may say about itself: who it is for, how often and how long it works. */
export const inviteOptionsSchema = z.strictObject({
  label: z.string().trim().max(100, 'at most 100 characters').default(''),
  uses: z.number().int().min(1).max(MAX_INVITE_USES).default(1),
  expiresInSeconds: z.number().int().min(60).max(MAX_INVITE_SECONDS).default(DEFAULT_INVITE_SECONDS),
});
export type InviteOptions = z.input<typeof inviteOptionsSchema>;

/** A member id as the members list shows it (its first 8 hex digits), or whole; at least 4 digits. */
export const memberRefSchema = z
  .string()
  .toLowerCase()
  .regex(/^[0-9a-f-]{4,36}$/, 'the ID the members list shows');
