import type { ErrorBody, ErrorCode } from './errors';

/**
 * The browser's (and the service worker's) side of the JSON API: same-origin fetch, so the
 * visitor cookie goes along; a `{ error: { code, message } }` answer becomes an ApiError.
 * Callers branch on its code (the server's closed set, so a typo fails tsc), not on the status:
 * one status covers many codes, and a 404 from elsewhere (a proxy, no route) is no answer at all.
 */

/** `unknown`: the answer had no `{ error }` body, so nothing but the status is known. */
export type ApiErrorCode = ErrorCode | 'unknown';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** True when `error` is the server's answer with one of these codes. */
export function isApiError(error: unknown, ...codes: ErrorCode[]): error is ApiError {
  return error instanceof ApiError && (codes as ApiErrorCode[]).includes(error.code);
}

export async function requestJson<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...init?.headers } });
  const body = (await response.json().catch(() => null)) as (Partial<ErrorBody> & T) | null;
  if (!response.ok) {
    throw new ApiError(response.status, body?.error?.code ?? 'unknown', body?.error?.message ?? `Request failed (${response.status})`);
  }
  return body as T;
}
