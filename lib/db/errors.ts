/** A failed database call, whatever the transport. `code` is the SQLSTATE (or PostgREST code). */
export class DbError extends Error {
  readonly fn: string;
  readonly code: string | undefined;

  constructor(fn: string, message: string, options: { code?: string; cause?: unknown } = {}) {
    super(`tether.${fn} failed: ${message}`, { cause: options.cause });
    this.name = 'DbError';
    this.fn = fn;
    this.code = options.code;
  }
}

/** pg and PGlite errors both carry the SQLSTATE in `code`. */
export function toDbError(fn: string, error: unknown): DbError {
  if (error instanceof DbError) return error;
  const { message, code } = (error ?? {}) as { message?: unknown; code?: unknown };
  return new DbError(fn, typeof message === 'string' ? message : String(error), {
    code: typeof code === 'string' ? code : undefined,
    cause: error,
  });
}

/** SQLSTATE classes and codes that mean "the database can't answer now", not "the call is wrong". */
const TRANSIENT_SQLSTATE = /^(08|53|57P|40001|40P01|PGRST00[0-3])/;
const TRANSIENT_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** What pg, PGlite and fetch say without a code when the connection itself failed. */
const TRANSIENT_MESSAGE = /connection terminated|connect|timeout|socket|fetch failed|closed/i;

/**
 * True when a failed call may succeed if tried again later: the database was unreachable,
 * restarting, failing over or overloaded. A refused call (a constraint, a bad argument) is not.
 */
export function isTransientDbError(error: unknown): boolean {
  for (let cause = error, depth = 0; cause && depth < 4; cause = (cause as { cause?: unknown }).cause, depth++) {
    const { code, message, errors } = cause as { code?: unknown; message?: unknown; errors?: unknown };
    if (typeof code === 'string' && (TRANSIENT_ERRNO.has(code) || TRANSIENT_SQLSTATE.test(code))) return true;
    if (typeof code === 'string' && code.length > 0) return false;
    // pg reports a refused connection to every address of a host as one AggregateError.
    if (Array.isArray(errors) && errors.some((inner) => isTransientDbError(inner))) return true;
    if (typeof message === 'string' && TRANSIENT_MESSAGE.test(message) && !(cause as { cause?: unknown }).cause) return true;
  }
  return false;
}
