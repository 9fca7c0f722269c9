/** Page visits get the visitor cookie from the proxy, named for the request's scheme. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NextRequest } from 'next/server';
import { beforeAll, describe, expect, it } from 'vitest';

let proxy: typeof import('./proxy').proxy;

beforeAll(async () => {
  Object.assign(process.env, { TETHER_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tether-proxy-')), LOG_LEVEL: 'warn' });
  ({ proxy } = await import('./proxy'));
});

/** A Set-Cookie header as its name and its attributes, lower-cased (`secure`, `path=/`, …). */
function parse(header: string | null) {
  const [pair = '', ...attributes] = (header ?? '').split('; ');
  return { name: pair.split('=')[0], attributes: attributes.map((attribute) => attribute.toLowerCase()) };
}

async function visit(headers: Record<string, string> = {}) {
  return await proxy(new NextRequest('http://127.0.0.1:3000/', { headers: { host: 'demo.localhost:3000', ...headers } }));
}

describe('the visitor cookie on a page visit', async () => {
  it('is tether_visitor over http, __Host-tether_visitor with Secure over https', async () => {
    const plain = parse((await visit()).headers.get('set-cookie'));
    expect(plain.name).toBe('tether_visitor');
    expect(plain.attributes).toEqual(expect.arrayContaining(['path=/', 'httponly', 'samesite=lax']));
    expect(plain.attributes).not.toContain('secure');
    const secure = parse((await visit({ 'x-forwarded-proto': 'https' })).headers.get('set-cookie'));
    expect(secure.name).toBe('__Host-tether_visitor');
    expect(secure.attributes).toEqual(expect.arrayContaining(['path=/', 'secure', 'httponly', 'samesite=lax']));
    expect(secure.attributes.some((attribute) => attribute.startsWith('domain='))).toBe(false);
  });

  it('is not issued again when the request carries a valid one under its name', async () => {
    const cookie = (await visit({ 'x-forwarded-proto': 'https' })).headers.get('set-cookie')!.split(';')[0]!;
    expect((await visit({ 'x-forwarded-proto': 'https', cookie })).headers.get('set-cookie')).toBeNull();
    expect((await visit({ cookie })).headers.get('set-cookie')).toMatch(/^tether_visitor=/);
  });
});

describe('the script nonce of a page', () => {
  const policyOf = (response: Response) => response.headers.get('content-security-policy') ?? '';
  const nonceOf = (policy: string) => /'nonce-([^']+)'/.exec(policy)?.[1];

  it('is fresh for every page, in the response and in the request Next renders (which reads it from there)', async () => {
    const first = await visit();
    const second = await visit();
    expect(nonceOf(policyOf(first))).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(nonceOf(policyOf(second))).not.toBe(nonceOf(policyOf(first)));
    const scripts = policyOf(first)
      .split('; ')
      .find((directive) => directive.startsWith('script-src '));
    expect(scripts).not.toContain("'unsafe-inline'");
    expect(first.headers.get('x-middleware-request-content-security-policy')).toBe(policyOf(first));
  });

  it('is given to the share page and to the offline page, which is served as it is for every workspace', async () => {
    for (const pathname of ['/shared', '/~offline']) {
      const response = await proxy(new NextRequest(`http://127.0.0.1:3000${pathname}`, { headers: { host: 'demo.localhost:3000' } }));
      expect(nonceOf(policyOf(response)), pathname).toBeDefined();
      expect(response.headers.get('x-middleware-request-content-security-policy'), pathname).toBe(policyOf(response));
    }
    const offline = await proxy(new NextRequest('http://127.0.0.1:3000/~offline', { headers: { host: 'demo.localhost:3000' } }));
    expect(offline.headers.get('x-middleware-rewrite')).toBeNull();
    expect(offline.headers.get('x-middleware-next')).toBe('1');
  });
});
