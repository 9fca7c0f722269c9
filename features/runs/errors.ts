/** The error codes the runs feature answers with (see `ErrorCodes` in lib/errors.ts). */
declare module '@/lib/errors' {
  interface ErrorCodes {
    'not_found:run': true;
    'conflict:run_active': true;
    'rate_limited:capacity': true;
  }
}

export {};
