import { createMemberInvite, inviteOptionsSchema } from '@/features/access/server';
import { readJson } from '@/lib/http';
import { requestOrigin } from '@/lib/request-origin';
import { route } from '../_lib/route';

/** A member makes an invite link in the app (when workspace.json has `"membersMayInvite": true`). */
export const POST = route(async ({ req, visitorId, workspace }) => {
  const options = await readJson(req, inviteOptionsSchema, 1024);
  return Response.json(await createMemberInvite({ workspace, visitorId, origin: requestOrigin(req), options }), { status: 201 });
});
