import { branchSchema } from '@/features/runs';
import { branchConversation } from '@/features/runs/server';
import { readJson } from '@/lib/http';
import { route } from '../../../_lib/route';

/** "Branch from here": `{ keepPrompts }` → 201 `{ conversationId, title }`, a new conversation of the caller's. */
export const POST = route.conversation({ input: ({ req }) => readJson(req, branchSchema, 1024) }, async ({ conversationId, input, actor, visitorId, workspace }) => {
  return Response.json(await branchConversation({ actor, visitorId, workspace, conversationId, keepPrompts: input.keepPrompts }), { status: 201 });
});
