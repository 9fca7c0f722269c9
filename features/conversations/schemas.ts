import { z } from 'zod';
import { uuidSchema } from '@/lib/ids';
import { MAX_RECENT, MAX_TITLE_CHARS } from './limits';

/** `?ids=a,b,c`: the recent list's conversations, whose run statuses it asks for in one request. */
export const conversationIdsSchema = z
  .string({ error: 'Give ids=<comma-separated conversation ids>' })
  .transform((value) =>
    value
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean),
  )
  .pipe(z.array(uuidSchema).max(MAX_RECENT, `At most ${MAX_RECENT} ids`));

/** `PATCH /api/conversations/:id`: a new title. */
export const renameSchema = z.strictObject({
  title: z
    .string()
    .trim()
    .min(1, 'The title is empty')
    .max(MAX_TITLE_CHARS, `The title is longer than ${MAX_TITLE_CHARS} characters`)
    .refine((title) => !/[\u0000-\u001f\u007f]/.test(title), 'The title contains control characters'),
});
