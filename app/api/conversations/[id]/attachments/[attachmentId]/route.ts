import { attachmentOf, attachmentResponse, takeBackAttachment } from '@/features/attachments/server';
import { parseInput } from '@/lib/http';
import { uuidSchema } from '@/lib/ids';
import { route } from '../../../../_lib/route';

const attachmentId = ({ params }: { params: Record<string, string> }) => parseInput(uuidSchema, params.attachmentId, 'params');

/** The attachment's bytes, served so they never run as a page (see attachmentResponse). */
export const GET = route.conversation({ input: attachmentId }, async ({ conversationId, input: id, actor, workspace }) => {
  return attachmentResponse(await attachmentOf({ conversationId, visitorId: actor, workspace: workspace.name, id }));
});

/** Takes back an attachment not sent yet (a chip removed before sending) → `{ deleted }`. */
export const DELETE = route.conversation({ input: attachmentId }, async ({ conversationId, input: id, actor, workspace }) => {
  await takeBackAttachment({ conversationId, visitorId: actor, workspace: workspace.name, id });
  return Response.json({ deleted: id });
});
