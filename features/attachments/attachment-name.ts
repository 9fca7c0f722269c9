/**
 * The header an upload names its file in. The body is the file itself, so the name travels beside
 * it, URL-encoded: a header carries only Latin-1, and names are any Unicode.
 */
export const ATTACHMENT_NAME_HEADER = 'x-attachment-name';

export const encodeAttachmentName = (name: string) => encodeURIComponent(name);
