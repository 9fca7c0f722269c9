import { conversationAttachments, readUpload, saveUpload } from '@/features/attachments/server';
import { route } from '../../../_lib/route';

/**
 * Uploads one file for the conversation's next message: the raw file as the body, its name
 * URL-encoded in X-Attachment-Name → 201 `{ attachment }`. The upload may be the first thing in
 * a new conversation, which it then starts.
 */
export const POST = route.conversation({ input: ({ req }) => readUpload(req) }, async ({ conversationId, input, actor, workspace }) => {
  return Response.json({ attachment: await saveUpload({ conversationId, visitorId: actor, workspace, upload: input }) }, { status: 201 });
});

/** The conversation's attachments, oldest first, each with its run (null: not sent yet) → `{ attachments }`. */
export const GET = route.conversation(async ({ conversationId, actor, workspace }) => {
  return Response.json({ attachments: await conversationAttachments({ conversationId, visitorId: actor, workspace: workspace.name }) });
});
