import 'server-only';
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { takeNewVisitor } from '@/features/limits/server';
import { dataDir, dataPath } from '@/lib/data-dir';
import { serverEnv } from '@/lib/env';

/**
 * Anonymous visitors: a random id in a signed cookie. There are no accounts; the id only
 * scopes what this browser may see (its own conversations).
 */

const COOKIE = 'tether_visitor';
const MAX_AGE_SECONDS = 400 * 24 * 60 * 60; // the longest lifetime browsers accept

type Global = { tetherSessionSecret?: Buffer };
const store = globalThis as Global;

/** SESSION_SECRET, or a random key generated once and kept in the data root. */
function secret(): Buffer {
  if (store.tetherSessionSecret) return store.tetherSessionSecret;
  const configured = serverEnv().SESSION_SECRET;
  if (configured) return (store.tetherSessionSecret = Buffer.from(configured));
  dataDir();
  const file = dataPath('session-secret');
  try {
    // 'wx' fails if another process created it first; then everyone reads the same file.
    writeFileSync(file, randomBytes(32).toString('base64url'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return (store.tetherSessionSecret = Buffer.from(readFileSync(file, 'utf8').trim()));
}

function sign(id: string): string {
  return createHmac('sha256', secret()).update(id).digest('base64url');
}

/** The visitor id in a cookie value, or null if it is missing, malformed or not signed by us. */
export function verifyVisitorCookie(value: string | undefined): string | null {
  if (!value) return null;
  const [id, signature, extra] = value.split('.');
  if (!id || !signature || extra !== undefined || !/^[0-9a-f-]{36}$/.test(id)) return null;
  const expected = Buffer.from(sign(id));
  const actual = Buffer.from(signature);
  return expected.length === actual.length && timingSafeEqual(expected, actual) ? id : null;
}

/**
 * The cookie's name for a request, used both to read and to issue it. Over https it has the
 * `__Host-` prefix: browsers then keep it only with Secure, Path=/ and no Domain, so a sibling
 * workspace (another subdomain) can't plant a visitor id it knows and then read this browser's
 * conversations under it.
 * Plain http can't carry Secure (localhost, the tests), so it keeps the plain name.
 */
export function visitorCookieName({ secure }: { secure: boolean }): string {
  return secure ? `__Host-${COOKIE}` : COOKIE;
}

/**
 * A new visitor from `address` (429 past the cap). `secure` comes from the request: Secure on
 * https (directly or behind a TLS proxy), not on plain http, where browsers other than on
 * localhost would drop it.
 */
export async function issueVisitorCookie({ secure, address }: { secure: boolean; address: string }): Promise<{ visitorId: string; name: string; value: string; options: CookieOptions }> {
  // Each visitor gets its own fair share, so new ones per address are capped (features/limits).
  await takeNewVisitor(address);
  const visitorId = randomUUID();
  return {
    visitorId,
    name: visitorCookieName({ secure }),
    value: `${visitorId}.${sign(visitorId)}`,
    options: { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: MAX_AGE_SECONDS },
  };
}

export type CookieOptions = { httpOnly: true; sameSite: 'lax'; secure: boolean; path: '/'; maxAge: number };

export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  return [`${name}=${value}`, `Path=${options.path}`, `Max-Age=${options.maxAge}`, 'HttpOnly', 'SameSite=Lax', ...(options.secure ? ['Secure'] : [])].join('; ');
}
