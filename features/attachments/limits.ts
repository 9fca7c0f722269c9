/**
 * The fixed limits of attachments, which the browser checks too before it uploads; kept apart from
 * the zod schemas so the page's JavaScript doesn't carry zod. The configurable ones (count and
 * sizes) are in lib/env.
 */

export const MAX_ATTACHMENT_NAME_CHARS = 200;

/** The model API refuses an image longer than this on either side. */
export const MAX_IMAGE_SIDE_PX = 8000;

/**
 * A text file up to this size is given to the model as text (about 32k tokens); a larger one would
 * crowd out the conversation, so it is treated as any other file, saved for the agent to open.
 */
export const MAX_INLINE_TEXT_BYTES = 128 * 1024;
