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
