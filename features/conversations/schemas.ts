import { z } from 'zod';

/** How many conversations a browser keeps in its recent list. */
export const MAX_RECENT = 10;

/** `?ids=a,b,c`: the recent list's conversations, whose run statuses it asks for in one request. */
export const conversationIdsSchema = z
  .string({ error: 'Give ids=<comma-separated conversation ids>' })
  .transform((value) => value.split(',').map((id) => id.trim()).filter(Boolean))
  .pipe(z.array(z.uuid('Not a valid id')).max(MAX_RECENT, `At most ${MAX_RECENT} ids`));
