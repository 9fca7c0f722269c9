import type { IncomingMessage, ServerResponse } from 'node:http';
import { NextRequest } from 'next/server';
import { openShare, SHARE_TOKEN_HEADER } from '@/features/conversations/server';
import { workspaceFromHost } from '@/features/workspaces';
import { requireWorkspace, type Workspace } from '@/features/workspaces/server';
import { serverEnv } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { errorResponse } from '@/lib/http';
import { securityHeaders } from '@/lib/security-headers';
import { headersOf, writeError } from './route';

type Shared = { conversationId: string; ownerId: string };
type Context<P> = { req: NextRequest; params: P; workspace: Workspace; shared: Shared };

/** What the request's share token opens in the Host's workspace (404 otherwise). No visitor cookie is read or issued. */
async function openFrom(req: NextRequest): Promise<{ workspace: Workspace; shared: Shared }> {
  if (req.method !== 'GET') throw new AppError('method_not_allowed', 'A share link only reads.');
  const workspace = requireWorkspace(workspaceFromHost(req.headers.get('host'), serverEnv().TETHER_BASE_DOMAIN));
  const token = req.headers.get(SHARE_TOKEN_HEADER) ?? '';
  return { workspace, shared: await openShare({ token, workspace: workspace.name }) };
}

/** A read-only route for a share link's viewers (`route()`'s counterpart, without a visitor). */
export function shareRoute<P extends Record<string, string> = Record<string, never>>(handler: (context: Context<P>) => Promise<Response>) {
  return async (req: NextRequest, { params }: { params: Promise<P> }): Promise<Response> => {
    try {
      return await handler({ req, params: await params, ...(await openFrom(req)) });
    } catch (error) {
      return errorResponse(error);
    }
  };
}

/** The same, served before Next (`app/api/node-routes.ts`), writing to Node's response. */
export function shareNodeRoute<P extends Record<string, string>>(handler: (context: Context<P> & { res: ServerResponse }) => void | Promise<void>) {
  return async (incoming: IncomingMessage, res: ServerResponse, params: Record<string, string>): Promise<void> => {
    for (const { key, value } of securityHeaders({ development: serverEnv().NODE_ENV === 'development' })) res.setHeader(key, value);
    try {
      const req = new NextRequest(new URL(incoming.url ?? '/', 'http://localhost'), { method: incoming.method, headers: headersOf(incoming) });
      await handler({ req, params: params as P, ...(await openFrom(req)), res });
    } catch (error) {
      if (res.headersSent) return void res.destroy();
      writeError(res, error);
    }
  };
}
