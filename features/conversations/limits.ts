/** Limits the browser needs too, kept apart from the zod schemas so the page's JavaScript doesn't carry zod. */

/** How many conversations a browser keeps in its recent list. */
export const MAX_RECENT = 10;

export const MAX_TITLE_CHARS = 120;
