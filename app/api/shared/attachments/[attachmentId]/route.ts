import { attachmentResponse, sharedAttachment } from '@/features/attachments/server';
import { parseInput } from '@/lib/http';
import { uuidSchema } from '@/lib/ids';
import { shareRoute } from '../../../_lib/share-route';

/** An attachment of the shared conversation's messages, for whoever holds the share link (its token in the header). */
export const GET = shareRoute<{ attachmentId: string }>(async ({ params, workspace, shared }) => {
  const id = parseInput(uuidSchema, params.attachmentId, 'params');
  return attachmentResponse(await sharedAttachment({ conversationId: shared.conversationId, ownerId: shared.ownerId, workspace: workspace.name, id }));
});
