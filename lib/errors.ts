/**
 * Errors are values with a code (`not_found:conversation`, `conflict:run_active`); the part
 * before the colon picks the HTTP status, in this one place.
 *
 * The codes are a closed set, so a typo fails `tsc` on the server and in the browser alike. lib
 * registers only its own plumbing codes below; each feature registers the codes it owns in its
 * `errors.ts` by merging into `ErrorCodes` (`declare module '@/lib/errors'`), which keeps product
 * words out of lib and each code next to the code that throws it.
 */

const statusByKind = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorKind = keyof typeof statusByKind;

/** Every error code the server answers with (keys only; the value says nothing). */
export interface ErrorCodes {
  unsupported_media_type: true;
  payload_too_large: true;
  method_not_allowed: true;
  internal: true;
  'bad_request:invalid_json': true;
  'bad_request:body_incomplete': true;
  'bad_request:invalid_body': true;
  'bad_request:invalid_params': true;
  'bad_request:invalid_query': true;
  'forbidden:cross_origin': true;
  'unavailable:database': true;
}

export type ErrorCode = keyof ErrorCodes;

// A registered code whose kind has no status fails here (naming it), wherever it was registered.
type MisnamedCode = Exclude<ErrorCode, `${ErrorKind}:${string}` | ErrorKind>;
export const everyCodeHasAKind: [MisnamedCode] extends [never] ? true : MisnamedCode = true;

// Next gives route handlers and instrumentation (which serves the event streams) separate copies
// of this module: a brand shared through the symbol registry makes `instanceof` hold across them.
const BRAND = Symbol.for('tether.AppError');

export class AppError extends Error {
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  readonly [BRAND] = true;
  readonly code: ErrorCode;
  /** For 429 and 503: when the client may try again (sent as Retry-After). */
  readonly retryAfterSeconds: number | undefined;
  constructor(code: ErrorCode, message: string, { retryAfterSeconds }: { retryAfterSeconds?: number } = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  get status(): number {
    return statusByKind[this.code.split(':')[0] as ErrorKind] ?? 500;
  }
}

export type ErrorBody = { error: { code: ErrorCode; message: string } };

export function errorBody(error: AppError): ErrorBody {
  return { error: { code: error.code, message: error.message } };
}
