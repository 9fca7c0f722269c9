/** The error codes the runs feature answers with (see `ErrorCodes` in lib/errors.ts). */
declare module '@/lib/errors' {
  interface ErrorCodes {
    'not_found:run': true;
    'conflict:run_active': true;
    'bad_request:unknown_model': true;
    'bad_request:mode_not_offered': true;
    'rate_limited:capacity': true;
    'not_found:approval': true;
    'conflict:approval_decided': true;
    'conflict:already_undone': true;
    'conflict:nothing_to_undo': true;
    'conflict:not_restorable': true;
    'conflict:changed_since': true;
  }
}

export {};
