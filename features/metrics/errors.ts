/** The error codes the metrics feature answers with (see `ErrorCodes` in lib/errors.ts). */
declare module '@/lib/errors' {
  interface ErrorCodes {
    'unauthorized:metrics_token': true;
  }
}

export {};
