import { buildCustomRoute } from 'next/dist/lib/build-custom-route';
import { describe, expect, it } from 'vitest';
import { getScriptNonceFromHeader } from 'next/dist/server/app-render/get-script-nonce-from-header';
import { contentSecurityPolicy, pageContentSecurityPolicy, SANDBOXED_CONTENT_POLICY, securityHeaders } from './security-headers';

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split('; ').map((directive) => {
      const [name = '', ...sources] = directive.split(' ');
      return [name, sources];
    }),
  );
}

describe('the Content-Security-Policy', () => {
  const production = directives(contentSecurityPolicy({ development: false }));
  const page = directives(pageContentSecurityPolicy({ development: false }));

  it('loads nothing from another origin', () => {
    for (const [name, sources] of [...production, ...page]) {
      // Only keywords, a nonce and the data:/blob: schemes for images: no host, no wildcard, no http(s):.
      for (const source of sources) expect(`${name} ${source}`).toMatch(/ ('self'|'none'|'unsafe-inline'|'nonce-[\w+/=]+'|data:|blob:)$/);
    }
    expect(production.get('default-src')).toEqual(["'self'"]);
    expect(production.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
    expect(production.get('connect-src')).toEqual(["'self'"]);
    for (const name of ['script-src', 'style-src', 'font-src', 'frame-src', 'base-uri', 'form-action', 'worker-src', 'manifest-src']) {
      expect(production.get(name)?.[0], name).toBe("'self'");
    }
    expect(production.get('object-src')).toEqual(["'none'"]);
    expect(production.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('runs no inline script without the nonce of the page, which is fresh for every page', () => {
    expect(production.get('script-src')).toEqual(["'self'"]);
    expect(page.get('script-src')).toEqual(["'self'", expect.stringMatching(/^'nonce-[A-Za-z0-9+/]{22}=='$/)]);
    // Styles keep inline code: React writes style attributes, which no nonce covers.
    expect(page.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(new Map([...page].filter(([name]) => name !== 'script-src'))).toEqual(new Map([...production].filter(([name]) => name !== 'script-src')));
    const nonces = new Set(Array.from({ length: 50 }, () => getScriptNonceFromHeader(pageContentSecurityPolicy({ development: false }))));
    expect(nonces.size).toBe(50);
    // The way Next finds it, to put it on its scripts.
    expect(getScriptNonceFromHeader(pageContentSecurityPolicy({ development: true }))).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  });

  it('allows eval and the hot-reload websocket only in development', () => {
    expect(production.get('script-src')).not.toContain("'unsafe-eval'");
    const development = directives(contentSecurityPolicy({ development: true }));
    expect(development.get('script-src')).toContain("'unsafe-eval'");
    expect(development.get('connect-src')).toEqual(["'self'", 'ws:', 'wss:']);
    expect(development.get('img-src')).toEqual(production.get('img-src'));
  });
});

describe('the security headers', () => {
  it('are the CSP, nosniff, a strict referrer policy and no framing', () => {
    expect(Object.fromEntries(securityHeaders({ development: false }).map(({ key, value }) => [key.toLowerCase(), value]))).toEqual({
      'content-security-policy': contentSecurityPolicy({ development: false }),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'strict-origin-when-cross-origin',
      'x-frame-options': 'DENY',
    });
  });

  it('are sent on every path by next.config.ts', async () => {
    const { default: config } = await import('../next.config');
    const rules = await config.headers!();
    expect(rules[0]).toEqual({ source: '/(.*)', headers: securityHeaders({ development: false }) });
    // Compiled the way `next build` writes it into the routes manifest: the root, API routes, public files and chunks all match.
    const { regex } = buildCustomRoute('header', rules[0]!);
    for (const path of ['/', '/api/health', '/api/conversations/x/messages', '/sw.js', '/manifest.webmanifest', '/icons/icon-192.png', '/_next/static/chunks/x.js']) {
      expect(path).toMatch(new RegExp(regex));
    }
  });
});

describe('attachments', () => {
  it('are served with the sandboxing policy instead of the page policy, by a later rule in next.config.ts', async () => {
    const { default: config } = await import('../next.config');
    const [general, ...sandboxed] = await config.headers!();
    expect(sandboxed.length).toBeGreaterThan(0);
    for (const rule of sandboxed) expect(rule.headers).toEqual([{ key: 'Content-Security-Policy', value: SANDBOXED_CONTENT_POLICY }]);
    const matches = (rule: (typeof sandboxed)[number], path: string) => new RegExp(buildCustomRoute('header', rule).regex).test(path);
    const attachment = '/api/conversations/6f1c1f5e-8d7b-4c1e-9a3a-2f1b0c9d8e7f/attachments/0b1c2d3e-8d7b-4c1e-9a3a-2f1b0c9d8e7f';
    const shared = '/api/shared/attachments/0b1c2d3e-8d7b-4c1e-9a3a-2f1b0c9d8e7f';
    for (const path of [attachment, shared]) {
      expect(matches(general!, path)).toBe(true);
      expect(sandboxed.some((rule) => matches(rule, path))).toBe(true);
    }
    for (const path of ['/', '/api/conversations/x/attachments', '/api/conversations/x/messages', '/api/shared'])
      expect(
        sandboxed.some((rule) => matches(rule, path)),
        path,
      ).toBe(false);
  });
});
