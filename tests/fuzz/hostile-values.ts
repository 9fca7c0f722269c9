import fc from 'fast-check';

/**
 * Hostile values: ids, strings and JSON bodies, from near-valid (one field off) to garbage
 * (truncated, binary, invalid UTF-8, ~100 KB, 20,000 levels deep, `__proto__` keys).
 */

/** What the fuzz knows of the world, so that some requests get past the first checks. */
export type Known = {
  /** Ids that exist (conversations, runs): params and body fields draw on them often. */
  ids: string[];
  /** Other strings worth trying (a push endpoint, model names, modes). */
  strings: string[];
  /** A signed visitor cookie value (the fuzz visitor's own) and a visitor id to impersonate. */
  cookie: string;
  impersonate: string;
};

const NASTY = [
  '',
  ' ',
  '\t',
  '0',
  '-1',
  '1e309',
  'NaN',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '../../etc/passwd',
  '..\\..\\boot.ini',
  '%2e%2e%2f',
  '/',
  '.',
  '..',
  '\u0000',
  'a\u0000b',
  '\n',
  '\r\n',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '😀',
  'é',
  '\u202e',
  '\ud800',
  '\udfff',
  'İ',
  '<script>',
  "' OR 1=1 --",
  '${x}',
  '%s%n',
  '%ZZ',
  '%E0%A4%A',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
];
const POLLUTING_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'];
const MAX_HUGE_BYTES = 110_000;

const repeated = (chars: string[], min: number, max: number) => fc.tuple(fc.constantFrom(...chars), fc.integer({ min, max })).map(([c, n]) => c.repeat(n));

export function idLike(known: Known): fc.Arbitrary<string> {
  const damaged = fc.tuple(fc.constantFrom(...known.ids), fc.constantFrom('upper', 'braces', 'spaced', 'undashed', 'suffixed', 'encoded')).map(([id, how]) => {
    if (how === 'upper') return id.toUpperCase();
    if (how === 'braces') return `{${id}}`;
    if (how === 'spaced') return ` ${id} `;
    if (how === 'undashed') return id.replaceAll('-', '');
    if (how === 'suffixed') return `${id}/../..`;
    return encodeURIComponent(`../${id}`);
  });
  return fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...known.ids) },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: damaged },
    { weight: 2, arbitrary: fc.constantFrom(...NASTY) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: repeated(['a', 'é', '😀', '/', '../'], 100, 20_000) },
  );
}

/** Characters that stores, parsers and encoders trip over, mixed with plain text. */
const awkward = fc
  .array(fc.tuple(fc.constantFrom('\u0000', '\u0001', '\ud800', '\udfff', '\u202e', '\ufeff', '\r\n', '"', '\\', "'", '%00', '\u2028', '😀', 'é'), fc.string({ maxLength: 4 })), {
    minLength: 1,
    maxLength: 4,
  })
  .map((parts) => parts.flat().join(''));

/** A valid value with awkward characters spliced in, so it may still pass the schema's own checks. */
const spliced = (value: string) => fc.tuple(fc.nat(value.length), awkward).map(([at, inserted]) => value.slice(0, at) + inserted + value.slice(at));

export function stringLike(known: Known): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...known.strings) },
    { weight: 2, arbitrary: fc.constantFrom(...known.strings).chain(spliced) },
    { weight: 1, arbitrary: awkward },
    { weight: 2, arbitrary: idLike(known) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
    { weight: 1, arbitrary: repeated(['x', 'é', '😀', '\u0000'], 1000, 30_000) },
  );
}

/** JSON text built by hand, so it can hold duplicate keys and `__proto__` as an own key. */
function jsonText(known: Known, keys: string[]): fc.Arbitrary<string> {
  const key = fc.oneof(fc.constantFrom(...keys, ...POLLUTING_KEYS), fc.string({ maxLength: 8 })).map((k) => JSON.stringify(k));
  const scalar = fc.oneof(
    fc.constantFrom('null', 'true', 'false', '0', '-0', '1', '-1', '1.5', '1e308', '-1e-320', '123456789012345678901234567890', '[]', '{}'),
    fc.double().filter(Number.isFinite).map(String),
    stringLike(known).map((s) => JSON.stringify(s)),
  );
  const { value } = fc.letrec<{ value: string; array: string; object: string }>((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, scalar, tie('array'), tie('object')),
    array: fc.array(tie('value'), { maxLength: 5 }).map((items) => `[${items.join(',')}]`),
    object: fc.array(fc.tuple(key, tie('value')), { maxLength: 5 }).map((entries) => `{${entries.map(([k, v]) => `${k}:${v}`).join(',')}}`),
  }));
  return value;
}

type Mutation = { kind: 'drop' } | { kind: 'replace'; json: string } | { kind: 'add'; key: string; json: string };

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Every field of a sample, as a path of keys: the root, nested objects and their leaves. */
function fieldPaths(value: unknown, at: string[] = []): string[][] {
  return isRecord(value) ? [at, ...Object.entries(value).flatMap(([key, inner]) => fieldPaths(inner, [...at, key]))] : [at];
}

function mutationOf(value: unknown, anyJson: fc.Arbitrary<string>, root: boolean): fc.Arbitrary<Mutation> {
  const replace = anyJson.map((json): Mutation => ({ kind: 'replace', json }));
  const options: Array<fc.Arbitrary<Mutation>> = [replace];
  if (!root) options.push(fc.constant<Mutation>({ kind: 'drop' }));
  if (typeof value === 'string') options.push(spliced(value).map((text): Mutation => ({ kind: 'replace', json: JSON.stringify(text) })));
  if (isRecord(value)) options.push(fc.tuple(fc.constantFrom(...POLLUTING_KEYS, ...Object.keys(value)), anyJson).map(([key, json]): Mutation => ({ kind: 'add', key, json })));
  return fc.oneof(...options);
}

/** The sample as JSON text with the mutations applied (by hand: a duplicate or `__proto__` key must survive). */
function render(value: unknown, mutations: Map<string, Mutation>, at: string[] = []): string | undefined {
  const mutation = mutations.get(JSON.stringify(at));
  if (mutation?.kind === 'drop') return undefined;
  if (mutation?.kind === 'replace') return mutation.json;
  if (!isRecord(value)) return JSON.stringify(value);
  const entries = Object.entries(value).flatMap(([key, inner]) => {
    const text = render(inner, mutations, [...at, key]);
    return text === undefined ? [] : [`${JSON.stringify(key)}:${text}`];
  });
  if (mutation?.kind === 'add') entries.push(`${JSON.stringify(mutation.key)}:${mutation.json}`);
  return `{${entries.join(',')}}`;
}

/**
 * A valid body with one or two of its fields dropped, replaced, given awkward characters, or
 * joined by a polluting key: the rest stays valid, so the request gets past the schema's checks
 * that the changed field does not touch.
 */
function nearly(sample: unknown, anyJson: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const lookup = (path: string[]) => path.reduce<unknown>((value, key) => (value as Record<string, unknown>)[key], sample);
  return fc
    .subarray(fieldPaths(sample), { minLength: 1, maxLength: 2 })
    .chain((paths) => fc.tuple(...paths.map((path) => mutationOf(lookup(path), anyJson, path.length === 0).map((mutation) => [JSON.stringify(path), mutation] as const))))
    .map((mutations) => render(sample, new Map(mutations)) ?? '');
}

/** The sample as sent, or nearly: a field dropped, replaced, or given awkward characters. */
export function validOrNearly(known: Known, sample: unknown): fc.Arbitrary<string> {
  if (sample === undefined) return fc.constant('{}');
  return fc.oneof({ weight: 1, arbitrary: fc.constant(JSON.stringify(sample)) }, { weight: 2, arbitrary: nearly(sample, jsonText(known, isRecord(sample) ? Object.keys(sample) : [])) });
}

/** Bodies a broken or hostile client sends; undefined is none at all. */
export function hostilePayload(known: Known, sample: unknown): fc.Arbitrary<string | Uint8Array | undefined> {
  const keys = isRecord(sample) ? Object.keys(sample) : [];
  const anyJson = jsonText(known, keys);
  const shaped = sample === undefined ? anyJson : nearly(sample, anyJson);
  const keyed = (inner: string, key: string | null) => (key === null ? inner : `{${JSON.stringify(key)}:${inner}}`);
  const someKey = fc.option(fc.constantFrom(...keys, '__proto__'), { nil: null });
  const deep = fc
    .tuple(fc.integer({ min: 1, max: 20_000 }), fc.boolean(), someKey)
    .map(([depth, arrays, key]) => keyed(arrays ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + 'null' + '}'.repeat(depth), key));
  const huge = fc.tuple(fc.integer({ min: 1000, max: MAX_HUGE_BYTES }), fc.constantFrom('x', 'é', '😀', '\\u0000', '\\"'), someKey, fc.boolean()).map(([bytes, unit, key, raw]) => {
    const text = unit.repeat(Math.floor(bytes / Buffer.byteLength(unit)));
    return raw ? text : keyed(`"${text}"`, key);
  });
  const invalidUtf8 = fc
    .tuple(fc.constantFrom(...keys, 'x'), fc.array(fc.constantFrom([0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x00]), { minLength: 1, maxLength: 8 }))
    .map(([key, bytes]) => Buffer.concat([Buffer.from(`{${JSON.stringify(key)}:"`), Buffer.from(bytes.flat()), Buffer.from('"}')]) as Uint8Array);
  const truncated = fc.tuple(fc.oneof(shaped, anyJson), fc.nat()).map(([text, cut]) => text.slice(0, cut % Math.max(1, text.length)));
  const junk = fc.oneof(
    fc.constantFrom('', ' ', '\ufeff{}', '{} {}', "{'a':1}", 'NaN', 'undefined', '{"a":1,}', '[1,]', '{"__proto__":', '"unterminated', '1e99999', '-', 'tru', '\u0000'),
    fc.string({ unit: 'binary', maxLength: 200 }),
  );
  return fc.oneof(
    { weight: 8, arbitrary: shaped },
    { weight: 3, arbitrary: anyJson },
    { weight: 2, arbitrary: truncated },
    { weight: 1, arbitrary: deep },
    { weight: 1, arbitrary: huge },
    { weight: 1, arbitrary: invalidUtf8 },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2000 }) },
    { weight: 1, arbitrary: junk },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}
