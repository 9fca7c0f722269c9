/** The error codes the sharing feature answers with (see `ErrorCodes` in lib/errors.ts). */
declare module '@/lib/errors' {
  interface ErrorCodes {
    'not_found:share': true;
    'not_found:device': true;
    'not_found:handoff': true;
    'conflict:handoff_used': true;
    'conflict:handoff_expired': true;
  }
}

export {};
