/** Kept apart from the zod schemas so the page's JavaScript doesn't carry zod. */
export const MAX_APPROVAL_NOTE_CHARS = 2000;
