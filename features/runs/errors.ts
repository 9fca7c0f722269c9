/** The error codes the runs feature answers with (see `ErrorCodes` in lib/errors.ts). */
declare module '@/lib/errors' {
  interface ErrorCodes {
    'not_found:run': true;
    'conflict:run_active': true;
    'rate_limited:capacity': true;
    'conflict:nothing_to_branch': true;
    'bad_request:no_such_message': true;
    'bad_request:unknown_command': true;
    'bad_request:attachment_in_plan_mode': true;
  }
}

export {};
