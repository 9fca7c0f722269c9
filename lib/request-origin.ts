import { AppError } from './errors';

/**
 * Where a request came from, as the browser saw it. Behind a TLS-terminating proxy the server
 * sees plain http; the proxy's `X-Forwarded-Proto` (its first hop) says what the browser used.
 */
export function isHttpsRequest(req: Request): boolean {
  const forwarded = req.headers.get('x-forwarded-proto')?.split(',')[0]?.trim();
  return (forwarded ?? new URL(req.url).protocol.replace(':', '')) === 'https';
}

/** This request's own origin as the browser addressed it (scheme + Host), for links it should open. */
export function requestOrigin(req: Request): string {
  return `${isHttpsRequest(req) ? 'https' : 'http'}://${req.headers.get('host') ?? ''}`;
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Refuses a state-changing request another site made the browser send. The visitor cookie is
 * SameSite=Lax, but a sibling workspace (`other.example.com`) is the same site, so the Origin is
 * compared with this request's own scheme + Host. Requests without Origin (curl, servers) pass:
 * browsers always send it on cross-origin POSTs.
 */
export function assertSameOrigin(req: Request): void {
  if (!STATE_CHANGING.has(req.method.toUpperCase())) return;
  if (req.headers.get('sec-fetch-site') === 'cross-site') throw crossOrigin();
  const origin = req.headers.get('origin');
  if (origin === null) return;
  const own = serialisedOrigin(requestOrigin(req));
  // An opaque `Origin: null` (sandboxed frames, some redirects) matches nothing.
  if (!own || serialisedOrigin(origin) !== own) throw crossOrigin();
}

/** An origin as browsers serialise it (lower case, no default port), or null if it isn't one. */
function serialisedOrigin(value: string): string | null {
  try {
    const origin = new URL(value).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

function crossOrigin(): AppError {
  return new AppError('forbidden:cross_origin', 'This request came from another site; send it from the workspace page itself.');
}
