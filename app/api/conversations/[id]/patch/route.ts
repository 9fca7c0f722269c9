import { conversationPatch } from '@/features/changes/server';
import { route } from '../../../_lib/route';

/** "Download patch": the conversation's whole change as a file `git apply` takes (409 `conflict:no_changes` when there is nothing to put in it). */
export const GET = route.conversation(async ({ conversationId, actor, workspace }) => {
  const { patch, fileName } = await conversationPatch({ conversationId, visitorId: actor, workspace });
  return new Response(new Uint8Array(patch), {
    headers: {
      'content-type': 'text/x-diff',
      'content-disposition': `attachment; filename="${fileName}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  });
});
