/** The error codes the changes feature answers with (see `ErrorCodes` in lib/errors.ts). */
declare module '@/lib/errors' {
  interface ErrorCodes {
    'conflict:already_undone': true;
    'conflict:nothing_to_undo': true;
    'conflict:not_restorable': true;
    'conflict:changed_since': true;
    'conflict:snapshot_gone': true;
    'unavailable:snapshot': true;
    'conflict:no_changes': true;
    'payload_too_large:patch': true;
  }
}

export {};
