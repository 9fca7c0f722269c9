import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextRequest } from 'next/server';
import { countRequest, routePattern } from '@/features/metrics/server';
import { openShare, SHARE_TOKEN_HEADER } from '@/features/sharing/server';
import type { Workspace } from '@/features/workspaces/server';
import { AppError } from '@/lib/errors';
import { errorResponse } from '@/lib/http';
import { serveBeforeNext, workspaceOf } from './route';

type Shared = { conversationId: string; ownerId: string };
type Context<P> = { req: NextRequest; params: P; workspace: Workspace; shared: Shared };

/** What the request's share token opens in the Host's workspace (404 otherwise). No visitor cookie is read or issued. */
async function openFrom(req: NextRequest): Promise<{ workspace: Workspace; shared: Shared }> {
  if (req.method !== 'GET') throw new AppError('method_not_allowed', 'A share link only reads.');
  const workspace = workspaceOf(req);
  const token = req.headers.get(SHARE_TOKEN_HEADER) ?? '';
  return { workspace, shared: await openShare({ token, workspace: workspace.name }) };
}

/** A read-only route for a share link's viewers (`route()`'s counterpart, without a visitor). */
export function shareRoute<P extends Record<string, string> = Record<string, never>>(handler: (context: Context<P>) => Promise<Response>) {
  return async (req: NextRequest, { params }: { params: Promise<P> }): Promise<Response> => {
    let response: Response;
    try {
      response = await handler({ req, params: await params, ...(await openFrom(req)) });
    } catch (error) {
      response = errorResponse(error);
    }
    countRequest({ route: routePattern(req.nextUrl.pathname, await params), method: req.method, status: response.status });
    return response;
  };
}

/** The same, served before Next (`app/api/node-routes.ts`), writing to Node's response. */
export function shareNodeRoute<P extends Record<string, string>>(handler: (context: Context<P> & { res: ServerResponse }) => void | Promise<void>) {
  return (incoming: IncomingMessage, res: ServerResponse, params: Record<string, string>): Promise<void> =>
    serveBeforeNext(incoming, res, async (req) => handler({ req, params: params as P, ...(await openFrom(req)), res }));
}
