/**
 * The headers every response carries (pages, API answers, static files), applied by
 * `headers()` in next.config.ts. The policy lets nothing load from another origin: assistant
 * replies render as markdown, and an image, font, frame or fetch pointing elsewhere would carry
 * whatever the model wrote into its URL off the page.
 *
 * Inline scripts run only with the page's nonce. Next's hydration data arrives in inline scripts:
 * the proxy gives every page a fresh nonce in the policy of its request, and Next puts it on each
 * script it writes. A nonce needs a page rendered per request, which every page already is (the
 * offline page too, precached by the service worker as served: its copy keeps its own nonce).
 * Other responses get the policy without a nonce, under which no inline script runs.
 * No 'strict-dynamic': it would also run inline scripts that a script creates (the browser can't
 * tell who created them), and every script here is this origin's anyway ('self': Next's chunks;
 * nothing a visitor uploads is served as JavaScript, and nosniff holds the type).
 * Styles keep 'unsafe-inline': React sets style attributes, which a nonce can't cover.
 */

export type SecurityHeader = { key: string; value: string };

/**
 * The policy of a response whose bytes a visitor uploaded (an attachment): it loads nothing, and
 * `sandbox` makes it an opaque origin with scripts, forms and plugins off, so even HTML a browser
 * somehow rendered could not act as a page of the workspace.
 */
export const SANDBOXED_CONTENT_POLICY = "default-src 'none'; sandbox";

/** `nonce`: a page's; without one (API answers, static files) no inline script may run. */
export function contentSecurityPolicy({ development, nonce }: { development: boolean; nonce?: string }): string {
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    // React's development build evaluates code to rebuild server error stacks; production doesn't.
    'script-src': ["'self'", ...(nonce ? [`'nonce-${nonce}'`] : []), ...(development ? ["'unsafe-eval'"] : [])],
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'"],
    // The dev server's hot reload is a websocket; the browser's own matching of 'self' to ws: varies.
    'connect-src': ["'self'", ...(development ? ['ws:', 'wss:'] : [])],
    'media-src': ["'self'"],
    'frame-src': ["'self'"],
    'worker-src': ["'self'"],
    'manifest-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

export function securityHeaders({ development }: { development: boolean }): SecurityHeader[] {
  return [
    { key: 'Content-Security-Policy', value: contentSecurityPolicy({ development }) },
    { key: 'X-Content-Type-Options', value: 'nosniff' },
    // Other sites see at most the origin, never a page's path; same-origin requests keep theirs.
    { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
    // frame-ancestors does the same for browsers that read CSP; this is for those that don't.
    { key: 'X-Frame-Options', value: 'DENY' },
  ];
}

/** A page's policy with a fresh nonce: 128 random bits, as base64 (what a CSP nonce-source allows). */
export function pageContentSecurityPolicy({ development }: { development: boolean }): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return contentSecurityPolicy({ development, nonce: btoa(String.fromCharCode(...bytes)) });
}
