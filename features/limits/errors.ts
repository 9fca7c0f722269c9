/** The error codes of the fair-use rules (see `ErrorCodes` in lib/errors.ts); each 429 carries a Retry-After. */
declare module '@/lib/errors' {
  interface ErrorCodes {
    'rate_limited:runs_at_once': true;
    'rate_limited:runs_per_hour': true;
    'rate_limited:conversations_per_day': true;
    'rate_limited:new_visitors': true;
    'rate_limited:links': true;
    'rate_limited:handoff': true;
    'rate_limited:invites': true;
    'rate_limited:viewers': true;
    'rate_limited:budget_visitor': true;
    'rate_limited:budget_workspace': true;
    'rate_limited:attachment_bytes': true;
  }
}

export {};
