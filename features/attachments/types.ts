/**
 * What an attachment is, decided by the server from its bytes: an image (PNG, JPEG, GIF, WebP)
 * or a PDF the model reads as such, a text it is given as text, or any other file, which goes
 * into the workspace for the agent to open.
 */
export type AttachmentKind = 'image' | 'pdf' | 'text' | 'other';

/** An attachment as the API describes it (never its bytes). `width` and `height` are an image's, else null. */
export type Attachment = {
  id: string;
  name: string;
  mediaType: string;
  size: number;
  kind: AttachmentKind;
  width: number | null;
  height: number | null;
};

/** One of a conversation's attachments: `runId` is the run of the message it was sent with, null while unsent. */
export type ConversationAttachment = Attachment & { runId: string | null };

/** Where a page loads an attachment's bytes from, by its id (null: not yet, or not here). */
export type AttachmentUrl = (id: string) => string | null;
