/** The error codes the workspaces feature answers with (see `ErrorCodes` in lib/errors.ts). */
declare module '@/lib/errors' {
  interface ErrorCodes {
    'not_found:workspace': true;
    'conflict:workspace_exists': true;
    'not_found:file': true;
    'bad_request:not_a_folder': true;
    'bad_request:not_a_file': true;
    'conflict:file_exists': true;
    'unavailable:disk_full': true;
    'unavailable:workspace_disk': true;
    'conflict:not_a_repository': true;
    'conflict:worktree': true;
    'conflict:nothing_to_commit': true;
    'not_found:worktree': true;
  }
}

export {};
