/** The error codes the attachments feature answers with (see `ErrorCodes` in lib/errors.ts). */
declare module '@/lib/errors' {
  interface ErrorCodes {
    'not_found:attachment': true;
    'bad_request:attachment_name': true;
    'bad_request:attachment_empty': true;
    'unsupported_media_type:not_an_image': true;
    'unsupported_media_type:not_a_pdf': true;
    'payload_too_large:attachment': true;
    'payload_too_large:image_dimensions': true;
    'payload_too_large:message_attachments': true;
    'payload_too_large:workspace_full': true;
    'conflict:attachment_sent': true;
  }
}

export {};
