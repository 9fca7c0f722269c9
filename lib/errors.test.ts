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
});
