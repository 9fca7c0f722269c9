import { asNewcomer, inviteTokenSchema, joinWorkspace } from '@/features/access/server';
import { readJson } from '@/lib/http';
import { route } from '../_lib/route';

/** Opens an invite link (its token, from the URL fragment): this browser becomes a member of the workspace. */
export const POST = route.joining(async ({ req, visitorId, workspace }) =>
  Response.json(
    await asNewcomer({ workspace, visitorId }, async () => {
      const { token } = await readJson(req, inviteTokenSchema, 1024);
      return joinWorkspace({ workspace: workspace.name, visitorId, token, userAgent: req.headers.get('user-agent') ?? '' });
    }),
  ),
);
