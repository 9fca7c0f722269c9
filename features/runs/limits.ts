/** Limits the browser needs too, kept apart from the zod schemas so the page's JavaScript doesn't carry zod. */

export const MAX_MESSAGE_CHARS = 20_000;

/** The most attachments any server takes with one message: the highest TETHER_ATTACHMENTS_PER_MESSAGE lib/env allows. */
export const MAX_ATTACHMENTS_PER_MESSAGE = 100;
