/** The error codes the conversations feature answers with (see `ErrorCodes` in lib/errors.ts). */
declare module '@/lib/errors' {
  interface ErrorCodes {
    'not_found:conversation': true;
    'not_found:share': true;
    'not_found:device': true;
    'not_found:handoff': true;
    'conflict:handoff_used': true;
    'conflict:handoff_expired': true;
  }
}

export {};
