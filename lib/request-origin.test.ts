import { describe, expect, it } from 'vitest';
import { AppError } from './errors';
import { assertSameOrigin, isHttpsRequest, requestOrigin } from './request-origin';

describe('isHttpsRequest', () => {
  it.each([
    ['an https URL', 'https://demo.example.com/', {}, true],
    ['x-forwarded-proto: https', 'http://127.0.0.1:3000/', { 'x-forwarded-proto': 'https' }, true],
    ['a proxy chain starting with https', 'http://127.0.0.1:3000/', { 'x-forwarded-proto': 'https, http' }, true],
    ['plain http', 'http://demo.localhost:3000/', {}, false],
    ['x-forwarded-proto: http over https', 'https://demo.example.com/', { 'x-forwarded-proto': 'http' }, false],
  ])('%s', (_, url, headers, expected) => {
    expect(isHttpsRequest(new Request(url, { headers }))).toBe(expected);
  });
});

describe('requestOrigin', () => {
  it.each([
    ['the Host over plain http', 'http://127.0.0.1:3000/api/x', { host: 'demo.localhost:3000' }, 'http://demo.localhost:3000'],
    ['https behind a TLS proxy', 'http://127.0.0.1:3000/api/x', { host: 'demo.example.com', 'x-forwarded-proto': 'https' }, 'https://demo.example.com'],
    ['an https URL', 'https://demo.example.com/api/x', { host: 'demo.example.com' }, 'https://demo.example.com'],
  ])('%s', (_, url, headers, expected) => {
    expect(requestOrigin(new Request(url, { headers }))).toBe(expected);
  });
});

/** The server sees http on 127.0.0.1; the browser's Host (and a TLS proxy's header) say where it really is. */
function request(method: string, headers: Record<string, string>) {
  return new Request('http://127.0.0.1:3000/api/x', { method, headers: { host: 'demo.localhost:3000', ...headers } });
}

function refusal(req: Request): string | null {
  try {
    assertSameOrigin(req);
    return null;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    expect(error.status).toBe(403);
    return error.code;
  }
}

describe('assertSameOrigin', () => {
  it('passes the page’s own origin and requests without one', () => {
    expect(refusal(request('POST', { origin: 'http://demo.localhost:3000', 'sec-fetch-site': 'same-origin' }))).toBeNull();
    expect(refusal(request('POST', {}))).toBeNull();
    // Browsers serialise origins in lower case without the default port; a Host header may not be.
    expect(refusal(new Request('http://127.0.0.1/api/x', { method: 'PUT', headers: { host: 'Demo.Example.com:80', origin: 'http://demo.example.com' } }))).toBeNull();
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])('refuses a %s from another origin', (method) => {
    expect(refusal(request(method, { origin: 'https://evil.example' }))).toBe('forbidden:cross_origin');
  });

  it('refuses a sibling workspace, another port or scheme, and an opaque origin', () => {
    for (const origin of ['http://other.localhost:3000', 'http://demo.localhost:3001', 'https://demo.localhost:3000', 'null', 'not a url']) {
      expect(refusal(request('POST', { origin })), origin).toBe('forbidden:cross_origin');
    }
  });

  it('refuses Sec-Fetch-Site: cross-site even without an Origin', () => {
    expect(refusal(request('POST', { 'sec-fetch-site': 'cross-site' }))).toBe('forbidden:cross_origin');
    expect(refusal(request('POST', { 'sec-fetch-site': 'same-site', origin: 'http://demo.localhost:3000' }))).toBeNull();
  });

  it('leaves reads alone', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      expect(refusal(request(method, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })), method).toBeNull();
    }
  });

  it('compares with https when a TLS proxy says so', () => {
    const viaProxy = (origin: string) => request('POST', { host: 'demo.example.com', 'x-forwarded-proto': 'https', origin });
    expect(refusal(viaProxy('https://demo.example.com'))).toBeNull();
    expect(refusal(viaProxy('http://demo.example.com'))).toBe('forbidden:cross_origin');
  });

  it('refuses an Origin when the request has no Host to compare it with', () => {
    const req = new Request('http://127.0.0.1:3000/api/x', { method: 'POST', headers: { origin: 'http://127.0.0.1:3000' } });
    req.headers.delete('host');
    expect(refusal(req)).toBe('forbidden:cross_origin');
  });
});
