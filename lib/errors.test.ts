import { describe, expect, it } from 'vitest';
import { AppError } from './errors';
import { errorAnswer } from './http';

describe('AppError', () => {
  it("is recognised across module copies (Next's route and instrumentation bundles each load this file)", async () => {
    // A second copy of the module, as another bundle would have it.
    const other = (await import(/* @vite-ignore */ `./errors.ts?copy=${Date.now()}`)) as typeof import('./errors');
    expect(other.AppError).not.toBe(AppError);
    const thrownElsewhere = new other.AppError('conflict:approval_decided', 'This approval was already decided.');
    expect(thrownElsewhere instanceof AppError).toBe(true);
    expect(errorAnswer(thrownElsewhere)).toEqual({ status: 409, body: { error: { code: 'conflict:approval_decided', message: 'This approval was already decided.' } }, headers: {} });
    expect(new Error('plain') instanceof AppError).toBe(false);
    expect((null as unknown) instanceof AppError).toBe(false);
  });

  it('takes only registered codes, and each picks its status by its kind (a typo fails tsc, checked by @ts-expect-error)', () => {
    // @ts-expect-error: a misspelt code is not in ErrorCodes.
    const misspelt = new AppError('not_found:conversaton', 'No such conversation.');
    expect(misspelt.status).toBe(404);
    // @ts-expect-error: nor is a kind without its reason.
    expect(new AppError('not_found', 'No such thing.').status).toBe(404);
    expect(new AppError('rate_limited:capacity', 'Busy.', { retryAfterSeconds: 15 })).toMatchObject({ status: 429, retryAfterSeconds: 15 });
    expect(new AppError('unavailable:disk_full', 'Full.').status).toBe(503);
    expect(new AppError('conflict:handoff_used', 'Used.').status).toBe(409);
    expect(new AppError('internal', 'Oops.').status).toBe(500);
  });
});
