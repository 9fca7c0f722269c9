/** Limits the browser needs too, kept apart from the zod schemas so the page's JavaScript doesn't carry zod. */

export const MAX_MESSAGE_CHARS = 20_000;
