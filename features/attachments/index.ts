export type { Attachment, AttachmentKind, ConversationAttachment } from './types';
export { ATTACHMENT_NAME_HEADER, encodeAttachmentName } from './attachment-name';
export { formatFileSize } from './file-size';
export { MAX_ATTACHMENT_NAME_CHARS, MAX_IMAGE_SIDE_PX, MAX_INLINE_TEXT_BYTES } from './limits';
