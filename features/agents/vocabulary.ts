/** Denial messages of the tool guard start with this, so a denied tool can be told apart from a failed one, live and in history. */
export const DENIAL_PREFIX = 'Blocked by Tether:';
