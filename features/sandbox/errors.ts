/** The error codes the sandbox feature answers with (see `ErrorCodes` in lib/errors.ts). */
declare module '@/lib/errors' {
  interface ErrorCodes {
    'bad_request:unknown_model': true;
    'bad_request:mode_not_offered': true;
  }
}

export {};
