export { attachmentOf, conversationAttachments, copyAttachments, sendAttachments, sharedAttachment, takeBackAttachment } from './server/attachments';
export { readUpload, saveUpload, type Upload } from './server/upload';
export { attachmentResponse } from './server/view';
export { attachmentLimits } from './server/limits';
export { getAttachment, type StoredAttachment } from './server/queries';
export { imageFormatOf, imageSize } from './server/image-header';
export { formatFileSize } from './file-size';
