/** The error codes the access feature answers with (see `ErrorCodes` in lib/errors.ts). */
declare module '@/lib/errors' {
  interface ErrorCodes {
    'not_found:invite': true;
    'conflict:invite_used': true;
    'conflict:invite_expired': true;
    'forbidden:invites': true;
    'not_found:member': true;
    'conflict:member_ambiguous': true;
  }
}

export {};
