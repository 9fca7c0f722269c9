/**
 * The event stream sends a `: heartbeat` comment this often, so a client that hears nothing for
 * about twice as long knows its connection is dead even when no error says so.
 */
export const HEARTBEAT_MS = 15_000;
