import { z } from 'zod';

/** `POST /api/handoff`: the token from a handoff link's fragment (32 random bytes, base64url). */
export const handoffTokenSchema = z.strictObject({
  token: z.string().regex(/^[\w-]{43}$/, 'Not a handoff token'),
});
