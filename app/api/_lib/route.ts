import type { NextRequest } from 'next/server';
import { issueVisitorCookie, serializeCookie, verifyVisitorCookie, visitorCookieName } from '@/features/visitors/server';
import { workspaceFromHost } from '@/features/workspaces';
import { requireWorkspace, type Workspace } from '@/features/workspaces/server';
import { serverEnv } from '@/lib/env';
import { clientAddress } from '@/lib/client-address';
import { errorResponse } from '@/lib/http';
import { assertSameOrigin, isHttpsRequest } from '@/lib/request-origin';

type Context<P> = { req: NextRequest; params: P; visitorId: string; workspace: Workspace };

/**
 * Every API handler runs inside this: a state-changing request from another site is refused
 * (403) before anything else, the Host picks the workspace (unknown → 404), the signed cookie
 * names the visitor (a new one is issued when missing), and thrown AppErrors become
 * `{ error: { code, message } }` with their status. The security headers come from
 * next.config.ts, which Next applies to route handlers' answers too.
 */
export function route<P extends Record<string, string> = Record<string, never>>(handler: (context: Context<P>) => Promise<Response>) {
  return async (req: NextRequest, { params }: { params: Promise<P> }): Promise<Response> => {
    let setCookie: string | undefined;
    let response: Response;
    try {
      assertSameOrigin(req);
      const workspace = requireWorkspace(workspaceFromHost(req.headers.get('host'), serverEnv().TETHER_BASE_DOMAIN));
      const secure = isHttpsRequest(req);
      let visitorId = verifyVisitorCookie(req.cookies.get(visitorCookieName({ secure }))?.value);
      if (!visitorId) {
        const issued = issueVisitorCookie({ secure, address: clientAddress(req.headers, serverEnv().TETHER_TRUSTED_PROXIES) });
        visitorId = issued.visitorId;
        setCookie = serializeCookie(issued.name, issued.value, issued.options);
      }
      response = await handler({ req, params: await params, visitorId, workspace });
    } catch (error) {
      response = errorResponse(error);
    }
    if (setCookie) response.headers.append('set-cookie', setCookie);
    return response;
  };
}
