/**
 * Errors are values with a code (`not_found:conversation`, `conflict:run_active`); the part
 * before the colon picks the HTTP status, in this one place.
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
export type ErrorCode = `${ErrorKind}:${string}` | ErrorKind;

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

export type ErrorBody = { error: { code: string; message: string } };

export function errorBody(error: AppError): ErrorBody {
  return { error: { code: error.code, message: error.message } };
}
