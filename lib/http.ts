import { z, ZodError } from 'zod';
import { isTransientDbError } from './db/errors';
import { AppError, errorBody, type ErrorBody } from './errors';
import { logger } from './logger';

export const MAX_JSON_BODY_BYTES = 64 * 1024;

/**
 * Retry-After for a refusal that frees up when a run ends (this visitor's share, or the server's
 * agents all busy): about one run's length. One value, so the UI and clients see one rhythm.
 */
export const RUN_RETRY_AFTER_SECONDS = 15;

/** Reads a JSON body with a size cap and a schema: 415, 413 or 400 with a clear message otherwise. */
export async function readJson<T extends z.ZodType>(req: Request, schema: T, maxBytes = MAX_JSON_BODY_BYTES): Promise<z.infer<T>> {
  const type = req.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/json')) {
    throw new AppError('unsupported_media_type', 'Send the body as application/json.');
  }
  const text = (await readBytes(req, { maxBytes })).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AppError('bad_request:invalid_json', 'The body is not valid JSON.');
  }
  return parseInput(schema, json, 'body');
}

/**
 * Reads the raw body whole, stopping as soon as it passes the cap: a declared Content-Length over
 * it is refused before reading, and a missing or false one can't force a big read. `tooLarge` is
 * the error past the cap (a plain 413 by default). Nothing is returned from an upload that breaks
 * off, so a caller that writes only after this never keeps half a body.
 */
export async function readBytes(req: Request, { maxBytes, tooLarge }: { maxBytes: number; tooLarge?: () => AppError }): Promise<Buffer> {
  const refuse = tooLarge ?? (() => new AppError('payload_too_large', `The body is larger than ${maxBytes} bytes.`));
  if (Number(req.headers.get('content-length') ?? 0) > maxBytes) throw refuse();
  if (!req.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of req.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > maxBytes) throw refuse();
      chunks.push(chunk);
    }
  } catch (error) {
    // The client went away mid-upload (the stream errors): its fault, not ours, so not a 500.
    if (error instanceof AppError) throw error;
    throw new AppError('bad_request:body_incomplete', 'The body ended before it was complete.');
  }
  return Buffer.concat(chunks);
}

/** Validates params, query strings and bodies alike: a 400 naming the field. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, where: 'body' | 'params' | 'query'): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new AppError(`bad_request:invalid_${where}`, describeIssues(result.error));
  return result.data;
}

function describeIssues(error: ZodError): string {
  return error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
}

export function errorResponse(error: unknown): Response {
  const { status, body, headers } = errorAnswer(error);
  return Response.json(body, { status, headers });
}

/** How an error is answered: an AppError with its status (and Retry-After); anything else is logged and a 500. */
export function errorAnswer(error: unknown): { status: number; body: ErrorBody; headers: Record<string, string> } {
  if (error instanceof AppError) {
    const headers: Record<string, string> = error.retryAfterSeconds === undefined ? {} : { 'retry-after': String(error.retryAfterSeconds) };
    return { status: error.status, body: errorBody(error), headers };
  }
  // By name: the database is opened by instrumentation's copy of lib/db, so `instanceof` can't tell.
  if ((error as Error | null)?.name === 'DbError' && isTransientDbError(error)) {
    // A failover or restart: say so (and when to come back) rather than a bare 500.
    logger.warn('database unavailable', { error });
    return errorAnswer(new AppError('unavailable:database', 'The database is not answering right now. Try again in a few seconds.', { retryAfterSeconds: 5 }));
  }
  logger.error('unhandled error in route', { error });
  return { status: 500, body: errorBody(new AppError('internal', 'Something went wrong on our side.')), headers: {} };
}
