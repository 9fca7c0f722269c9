/** The error codes the conversations feature answers with (see `ErrorCodes` in lib/errors.ts). */
declare module '@/lib/errors' {
  interface ErrorCodes {
    'not_found:conversation': true;
  }
}

export {};
