/** Limits the browser needs too, kept apart from the zod schemas so the page's JavaScript doesn't carry zod. */

export const MAX_MESSAGE_CHARS = 20_000;

/**
 * The event stream sends a `: heartbeat` comment this often, so a client that hears nothing for
 * about twice as long knows its connection is dead even when no error says so.
 */
export const HEARTBEAT_MS = 15_000;
