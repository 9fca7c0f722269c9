/** The error codes the cluster feature answers with (see `ErrorCodes` in lib/errors.ts). */
declare module '@/lib/errors' {
  interface ErrorCodes {
    'unavailable:draining': true;
  }
}

export {};
