export type { Attachment, AttachmentKind, AttachmentUrl, ConversationAttachment } from './types';
export { ATTACHMENT_NAME_HEADER, encodeAttachmentName } from './attachment-name';
export { formatFileSize } from './file-size';
export { MAX_ATTACHMENT_NAME_CHARS, MAX_IMAGE_SIDE_PX, MAX_INLINE_TEXT_BYTES } from './limits';
export { AttachmentChips } from './components/attachment-chips';
export { MessageAttachments } from './components/message-attachments';
export { useAttachmentDrafts, type AttachmentDraft, type AttachmentLimits } from './hooks/use-attachment-drafts';
