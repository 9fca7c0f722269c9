/** The error codes the approvals feature answers with (see `ErrorCodes` in lib/errors.ts). */
declare module '@/lib/errors' {
  interface ErrorCodes {
    'not_found:approval': true;
    'conflict:approval_decided': true;
  }
}

export {};
