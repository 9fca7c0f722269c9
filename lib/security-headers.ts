/**
 * The headers every response carries (pages, API answers, static files), applied by
 * `headers()` in next.config.ts. The policy lets nothing load from another origin: assistant
 * replies render as markdown, and an image, font, frame or fetch pointing elsewhere would carry
 * whatever the model wrote into its URL off the page.
 *
 * Next's hydration data arrives in inline scripts. Nonces would remove 'unsafe-inline' but force
 * every page to render per request, the prerendered offline page that the service worker
 * precaches among them; inline code is allowed, other origins are not. Markdown is rendered
 * without raw HTML, so replies can't add inline scripts of their own.
 */

export type SecurityHeader = { key: string; value: string };

/**
 * The policy of a response whose bytes a visitor uploaded (an attachment): it loads nothing, and
 * `sandbox` makes it an opaque origin with scripts, forms and plugins off, so even HTML a browser
 * somehow rendered could not act as a page of the workspace.
 */
export const SANDBOXED_CONTENT_POLICY = "default-src 'none'; sandbox";

export function contentSecurityPolicy({ development }: { development: boolean }): string {
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    // React's development build evaluates code to rebuild server error stacks; production doesn't.
    'script-src': ["'self'", "'unsafe-inline'", ...(development ? ["'unsafe-eval'"] : [])],
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
