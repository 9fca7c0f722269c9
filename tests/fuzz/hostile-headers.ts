import fc from 'fast-check';
import type { Known } from './hostile-values';

/** The headers a hostile or broken client can send: hosts, cookies, content types and lengths, and the rest. */

// Plain over http, `__Host-` over https; a request may carry either whatever its scheme.
export const VISITOR_COOKIES = ['tether_visitor', '__Host-tether_visitor'];
// The first is how the tests address the server; over https the visitor cookie changes its name.
export const URL_ORIGINS = ['http://127.0.0.1:3000', 'https://demo.localhost', 'http://demo.localhost:3000'];
export const GOOD_HOST = 'demo.localhost:3000';

export const latin1 = fc
  .integer({ min: 0x20, max: 0xff })
  .filter((c) => c !== 0x7f)
  .map((c) => String.fromCharCode(c));
/** Header values a real HTTP parser can hand over: latin1 without CR, LF or NUL. */
export const headerValue = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: latin1, maxLength: 60 }) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1000, max: 20_000 }), latin1).map(([n, c]) => c.repeat(n)) },
);
export const token = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);

export const hostileHosts: fc.Arbitrary<string[]> = (() => {
  const bad = fc.oneof(
    fc.constantFrom(
      'nosuch.localhost:3000',
      'localhost:3000',
      '127.0.0.1:3000',
      '[::1]:3000',
      'demo.localhost.',
      'demo.localhost:',
      'demo.localhost:abc',
      'demo.localhost:3000:3000',
      'a.demo.localhost',
      '..localhost',
      '-demo.localhost',
      'demo-.localhost',
      'demo.localhost@evil.example',
      'evil.example#.demo.localhost',
      'demo.localhost/../x',
      'dëmo.localhost',
      'xn--dmo-2ma.localhost',
      'node_modules.localhost',
      '.localhost',
      'demo.localhost, evil.localhost',
      '__proto__.localhost',
      'DEMO.localhost:3000',
      'demo.LOCALHOST',
      'demo.localhost:0',
    ),
    headerValue,
    fc.integer({ min: 64, max: 5000 }).map((n) => `${'a'.repeat(n)}.localhost`),
  );
  return fc.oneof(
    { weight: 4, arbitrary: bad.map((h) => [h]) },
    { weight: 1, arbitrary: fc.constant<string[]>([]) },
    { weight: 1, arbitrary: fc.array(fc.oneof(bad, fc.constant(GOOD_HOST)), { minLength: 2, maxLength: 2 }) },
  );
})();

export function hostileCookies(known: Known): fc.Arbitrary<string[]> {
  const sig = fc.string({ unit: fc.constantFrom(...'ABCxyz0189-_=+/'), maxLength: 60 });
  const visitorValue = fc.oneof(
    { weight: 2, arbitrary: fc.constant(known.cookie) },
    { weight: 3, arbitrary: sig.map((s) => `${known.impersonate}.${s}`) },
    { weight: 1, arbitrary: fc.tuple(fc.nat(known.cookie.length - 1), latin1).map(([i, c]) => known.cookie.slice(0, i) + c + known.cookie.slice(i + 1)) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(`${known.cookie}.x`, known.impersonate, `${known.impersonate}.`, '.', 'a.b.c', '%ZZ', '%E0%A4%A', `"${known.cookie}"`, known.cookie.toUpperCase(), ''),
    },
    { weight: 1, arbitrary: headerValue },
  );
  const pair = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...VISITOR_COOKIES), visitorValue).map(([name, v]) => `${name}=${v}`) },
    { weight: 1, arbitrary: fc.constantFrom('__proto__=x', 'constructor=1', '=novalue', 'noequals', 'tether_visitor', ';;', 'tether_visitor=; tether_visitor=') },
    { weight: 1, arbitrary: fc.tuple(token, headerValue).map(([k, v]) => `${k}=${v}`) },
  );
  return fc.array(
    fc.array(pair, { minLength: 1, maxLength: 3 }).map((pairs) => pairs.join('; ')),
    { maxLength: 2 },
  );
}

export const hostileContentType: fc.Arbitrary<string[]> = fc.oneof(
  fc
    .constantFrom(
      'Application/JSON',
      'application/json; charset=utf-8',
      'application/json;charset=latin1',
      'application/jsonx',
      ' application/json',
      'text/plain',
      'text/json',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      '',
      '*/*',
    )
    .map((t) => [t]),
  fc.constant<string[]>([]),
  fc.tuple(fc.constant('application/json'), fc.oneof(fc.constant('text/plain'), headerValue)).map((pair) => [...pair]),
);

export const hostileContentLength = fc.constantFrom('0', '-1', 'abc', '1', '65536', '65537', '1e9', '99999999999999999999999', ' 12', '64, 64', '0x10').map((v) => [v]);

export const hostileExtraHeaders = fc.array(
  fc.oneof(
    fc.tuple(fc.constant('x-forwarded-proto'), fc.oneof(fc.constantFrom('https', 'http', 'https, http', 'HTTPS', ''), headerValue)),
    fc.tuple(fc.constant('origin'), fc.oneof(fc.constantFrom('http://demo.localhost:3000', 'https://demo.localhost', 'http://other.localhost:3000', 'https://evil.example', 'null', ''), headerValue)),
    fc.tuple(fc.constant('sec-fetch-site'), fc.constantFrom('same-origin', 'same-site', 'cross-site', 'none', '')),
    fc.tuple(fc.constant('last-event-id'), fc.oneof(fc.constantFrom('0', '3', '-1', '1.5', '1e400', 'abc', '9'.repeat(400)), headerValue)),
    fc.tuple(fc.constant('x-forwarded-host'), fc.constantFrom('evil.example', 'other.localhost:3000', '')),
    fc.tuple(fc.constant('accept'), fc.oneof(fc.constantFrom('text/event-stream', '*/*', 'application/json'), headerValue)),
    // An upload's file name, URL-encoded: climbing out, controls, bad encodings, too long.
    fc.tuple(fc.constant('x-attachment-name'), fc.oneof(fc.constantFrom('..', '%2E%2E', 'a%2Fb.png', '%00.png', '%E2%80%AE', '%E0%A4%A', '%ED%A0%80', 'cat.png', 'x'.repeat(300), ''), headerValue)),
    fc.tuple(token, headerValue),
  ),
  { minLength: 1, maxLength: 4 },
);
