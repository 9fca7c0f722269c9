import fc from 'fast-check';
import { NextRequest } from 'next/server';
import { hostilePayload, idLike, stringLike, validOrNearly, type Known } from './hostile-values';
import { VISITOR_COOKIES, URL_ORIGINS, GOOD_HOST, token, hostileHosts, hostileCookies, hostileContentType, hostileContentLength, hostileExtraHeaders } from './hostile-headers';

/**
 * The requests a hostile or broken client can send to a route handler: a well-formed request
 * from the fuzz visitor with some of its parts replaced — any body (./hostile-values.ts), path
 * param or query, and missing, forged, duplicated or lying headers.
 */

export type HostileBody = { payload: string | Uint8Array; delivery: 'whole' | 'chunks' | 'broken-stream' };

export type HostileRequest = {
  url: string;
  params: Record<string, string | string[]>;
  headers: Array<[string, string]>;
  body: HostileBody | undefined;
  /** The client is gone before the handler runs (its signal has fired). */
  aborted: boolean;
};

/** Every part of a request that can go wrong on its own. */
const PARTS = ['scheme', 'host', 'cookie', 'contentType', 'contentLength', 'headers', 'params', 'query', 'body', 'delivery', 'signal'] as const;
type Part = (typeof PARTS)[number];

/**
 * Which parts of a request are hostile: mostly one (a failure then points at it), sometimes none
 * (the request gets past every check, to the handler's own work), sometimes several.
 */
const hostileParts = fc.oneof(
  { weight: 2, arbitrary: fc.constant<Part[]>([]) },
  { weight: 5, arbitrary: fc.subarray([...PARTS], { minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: fc.subarray([...PARTS], { minLength: 2, maxLength: 5 }) },
);

function saneQuery(known: Known): fc.Arbitrary<string> {
  const pair = fc.oneof(
    fc.subarray(known.ids, { maxLength: 3 }).map((ids) => `ids=${ids.join(',')}`),
    fc.nat(20).map((n) => `after=${n}`),
    fc.constantFrom('visible=1', 'visible=0'),
  );
  return fc.array(pair, { maxLength: 2 }).map((pairs) => (pairs.length ? `?${pairs.join('&')}` : ''));
}

function hostileQuery(known: Known): fc.Arbitrary<string> {
  const key = fc.oneof(fc.constantFrom('ids', 'after', 'visible', 'id', 'limit', 'before', '__proto__', ''), token);
  const number = fc.constantFrom('-1', '0', '1', '3', '1e3', '1e400', '0x10', 'NaN', 'Infinity', ' 5', '5.5', '9007199254740993', '00', '+1', '1_000');
  const idList = fc.array(idLike(known), { maxLength: 12 }).map((ids) => ids.join(','));
  const value = fc.oneof(number, idList, stringLike(known), fc.constantFrom('1', '0', 'true', ',,,', ' , '));
  const pair = fc.tuple(key, value, fc.boolean()).map(([k, v, encode]) => (encode ? `${encodeURIComponent(k)}=${safeEncode(v)}` : `${k}=${v}`));
  return fc.array(pair, { minLength: 1, maxLength: 4 }).map((pairs) => `?${pairs.join('&')}`);
}

/** encodeURIComponent throws on lone surrogates; a URL would carry U+FFFD instead. */
export function safeEncode(value: string): string {
  return encodeURIComponent(value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
}

/**
 * Requests for one route file (`conversations/[id]/messages`): a well-formed request from the fuzz
 * visitor with some of its parts replaced by hostile ones. `[param]`, `[...param]` and
 * `[[...param]]` segments are passed both in the URL and as `params`, as Next passes them.
 */
export function hostileRequest({
  route,
  known,
  sample,
  headers: saneHeaders = [],
  withBody,
}: {
  route: string;
  known: Known;
  sample: unknown;
  /** Headers a well-formed request of the route carries (an upload's file name); hostile headers replace or join them. */
  headers?: Array<[string, string]>;
  withBody: boolean;
}): fc.Arbitrary<HostileRequest> {
  const segments = route.split('/');
  const dynamic = segments.flatMap((segment) => {
    const name = /^\[{1,2}(?:\.\.\.)?([^\]]+)\]{1,2}$/.exec(segment)?.[1];
    return name ? [{ segment, name, catchAll: segment.includes('...') }] : [];
  });
  return hostileParts.chain((parts) => {
    const pick = <T>(part: Part, sane: fc.Arbitrary<T>, hostile: fc.Arbitrary<T>) => (parts.includes(part) ? hostile : sane);
    const params = dynamic.map(({ catchAll }) => {
      const id = pick('params', fc.constantFrom(...known.ids), idLike(known));
      return catchAll ? fc.array(id, { minLength: 1, maxLength: 4 }) : id;
    });
    return fc
      .record({
        origin: pick('scheme', fc.constant(URL_ORIGINS[0]!), fc.constantFrom(...URL_ORIGINS.slice(1))),
        host: pick<string[]>('host', fc.constant([GOOD_HOST]), hostileHosts),
        cookie: pick<string[]>('cookie', fc.constant([`${VISITOR_COOKIES[0]}=${known.cookie}`]), hostileCookies(known)),
        contentType: pick<string[]>('contentType', fc.constant(['application/json']), hostileContentType),
        contentLength: pick<string[]>('contentLength', fc.constant([]), hostileContentLength),
        extra: pick<Array<[string, string]>>(
          'headers',
          fc.constant(saneHeaders),
          fc.tuple(fc.boolean(), hostileExtraHeaders).map(([keep, hostile]) => (keep ? [...saneHeaders, ...hostile] : hostile)),
        ),
        params: fc.tuple(...params),
        query: pick('query', saneQuery(known), hostileQuery(known)),
        payload: pick('body', validOrNearly(known, sample), hostilePayload(known, sample)),
        delivery: pick('delivery', fc.constant<HostileBody['delivery']>('whole'), fc.constantFrom<HostileBody['delivery']>('chunks', 'broken-stream')),
        aborted: fc.constant(parts.includes('signal')),
      })
      .map(({ origin, host, cookie, contentType, contentLength, extra, params: values, query, payload, delivery, aborted }) => {
        const bySegment = new Map(dynamic.map(({ segment }, i) => [segment, values[i]!]));
        const path = segments
          .filter((segment) => !/^\(.*\)$/.test(segment)) // route groups are not in the URL
          .map((segment) => {
            const value = bySegment.get(segment);
            return value === undefined ? segment : [value].flat().map(safeEncode).join('/');
          })
          .join('/');
        const headers: Array<[string, string]> = [
          ...host.map((v): [string, string] => ['host', v]),
          ...cookie.map((v): [string, string] => ['cookie', v]),
          ...contentType.map((v): [string, string] => ['content-type', v]),
          ...contentLength.map((v): [string, string] => ['content-length', v]),
          ...extra,
        ];
        const body = withBody && payload !== undefined ? { payload, delivery } : undefined;
        const params = Object.fromEntries(dynamic.map(({ name }, i) => [name, values[i]!]));
        return withSummary({ url: `${origin}/api/${path}${query}`, params, headers, body, aborted });
      });
  });
}

/** The failure report prints this instead of 100 KB bodies. */
function withSummary(request: HostileRequest): HostileRequest {
  const cut = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}…(${text.length} chars)` : text);
  const summary = () =>
    JSON.stringify({
      url: cut(request.url),
      params: Object.fromEntries(Object.entries(request.params).map(([k, v]) => [k, typeof v === 'string' ? cut(v) : v.map(cut)])),
      headers: request.headers.map(([k, v]) => [k, cut(v)]),
      body: request.body && { delivery: request.body.delivery, payload: cut(bodyText(request.body)), bytes: bodyBytes(request.body).byteLength },
      aborted: request.aborted,
    });
  return Object.assign(request, { [fc.toStringMethod]: summary });
}

export function bodyBytes(body: HostileBody): Uint8Array {
  return typeof body.payload === 'string' ? Buffer.from(body.payload) : body.payload;
}

export function bodyText(body: HostileBody): string {
  return typeof body.payload === 'string' ? body.payload : Buffer.from(body.payload).toString('utf8');
}

export function toNextRequest(method: string, request: HostileRequest): NextRequest {
  const { body } = request;
  const init = { method, headers: request.headers, ...(request.aborted ? { signal: AbortSignal.abort() } : {}) };
  if (!body || method === 'GET' || method === 'HEAD') return new NextRequest(request.url, init);
  if (body.delivery === 'whole') return new NextRequest(request.url, { ...init, body: typeof body.payload === 'string' ? body.payload : new Uint8Array(body.payload) });
  const bytes = bodyBytes(body);
  const cut = Math.floor(bytes.byteLength / 2);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      if (body.delivery === 'broken-stream') {
        // A client that goes away mid-upload: part of the body, then the connection fails.
        controller.enqueue(bytes.subarray(0, cut));
        controller.error(new Error('socket hang up'));
        return;
      }
      for (let at = 0; at < bytes.byteLength; at += 1000) controller.enqueue(bytes.subarray(at, at + 1000));
      controller.close();
    },
  });
  return new NextRequest(request.url, { ...init, body: stream, duplex: 'half' });
}
