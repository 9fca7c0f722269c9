import type { NextRequest } from 'next/server';
import { isHttpsRequest, issueVisitorCookie, serializeCookie, verifyVisitorCookie, VISITOR_COOKIE } from '@/features/visitors/server';
import { workspaceFromHost } from '@/features/workspaces';
import { requireWorkspace, type Workspace } from '@/features/workspaces/server';
import { serverEnv } from '@/lib/env';
import { errorResponse } from '@/lib/http';

type Context<P> = { req: NextRequest; params: P; visitorId: string; workspace: Workspace };

/**
 * Every API handler runs inside this: the Host picks the workspace (unknown → 404), the signed
 * cookie names the visitor (a new one is issued when missing), and thrown AppErrors become
 * `{ error: { code, message } }` with their status.
 */
export function route<P extends Record<string, string> = Record<string, never>>(handler: (context: Context<P>) => Promise<Response>) {
  return async (req: NextRequest, { params }: { params: Promise<P> }): Promise<Response> => {
    let setCookie: string | undefined;
    let response: Response;
    try {
      const workspace = requireWorkspace(workspaceFromHost(req.headers.get('host'), serverEnv().TETHER_BASE_DOMAIN));
      let visitorId = verifyVisitorCookie(req.cookies.get(VISITOR_COOKIE)?.value);
      if (!visitorId) {
        const issued = issueVisitorCookie({ secure: isHttpsRequest(req) });
        visitorId = issued.visitorId;
        setCookie = serializeCookie(VISITOR_COOKIE, issued.value, issued.options);
      }
      response = await handler({ req, params: await params, visitorId, workspace });
    } catch (error) {
      response = errorResponse(error);
    }
    if (setCookie) response.headers.append('set-cookie', setCookie);
    return response;
  };
}
