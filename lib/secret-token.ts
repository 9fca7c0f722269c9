import { createHash, randomBytes } from 'node:crypto';

/**
 * Capability links (handoff, share, invite) carry a 256-bit random token in the URL fragment,
 * which no server log, proxy or Referer sees. The server keeps only its SHA-256: a stolen
 * database opens nothing.
 */
export const newSecretToken = (): string => randomBytes(32).toString('base64url');

/** Only a token's hash is stored or compared; the token itself appears nowhere on the server. */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** What `newSecretToken` makes: 43 base64url characters. */
export const SECRET_TOKEN_PATTERN = /^[\w-]{43}$/;
