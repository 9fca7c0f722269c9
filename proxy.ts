import { NextResponse, type NextRequest } from 'next/server';
import { pageMayEnter } from '@/features/access/server';
import { issueVisitorCookie, verifyVisitorCookie, visitorCookieName } from '@/features/visitors/server';
import { workspaceFromHost } from '@/features/workspaces';
import { clientAddress } from '@/lib/client-address';
import { serverEnv } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { isHttpsRequest } from '@/lib/request-origin';
import { pageContentSecurityPolicy } from '@/lib/security-headers';

/**
 * Host → workspace: `demo.example.com/anything` is served by `app/w/demo/anything`. A host
 * with no valid workspace label goes to a name no workspace can have, which renders the 404
 * page. Page visits also get the visitor cookie here, before the page's own API calls, so
 * those never race to create two visitors.
 */
/** The read-only page a share link opens (`app/w/[workspace]/shared`). */
const SHARED_PAGE = '/shared';

/** An invite link's page, which a private workspace shows everyone (`app/w/[workspace]/join`). */
const JOIN_PAGE = '/join';

/** The service worker's fallback page (`app/~offline`), the same for every workspace: not rewritten. */
const OFFLINE_PAGE = '/~offline';

/**
 * Every page gets its own script nonce (lib/security-headers.ts): Next reads it from the policy on
 * the request and puts it on the scripts it writes; the browser reads it from the response's.
 */
export async function proxy(req: NextRequest) {
  const policy = pageContentSecurityPolicy({ development: serverEnv().NODE_ENV === 'development' });
  const headers = new Headers(req.headers);
  headers.set('content-security-policy', policy);
  const response = await route(req, { request: { headers } });
  response.headers.set('content-security-policy', policy);
  return response;
}

async function route(req: NextRequest, forward: { request: { headers: Headers } }) {
  if (req.nextUrl.pathname === OFFLINE_PAGE) return NextResponse.next(forward);
  const workspace = workspaceFromHost(req.headers.get('host'), serverEnv().TETHER_BASE_DOMAIN) ?? '_';
  const url = req.nextUrl.clone();
  url.pathname = `/w/${workspace}${req.nextUrl.pathname === '/' ? '' : req.nextUrl.pathname}`;
  const secure = isHttpsRequest(req);
  // A read-only shared page is no visitor's: it reads with its link's token alone.
  if (req.nextUrl.pathname === SHARED_PAGE) return NextResponse.rewrite(url, forward);
  let visitorId = verifyVisitorCookie(req.cookies.get(visitorCookieName({ secure }))?.value);
  let issued: Awaited<ReturnType<typeof issueVisitorCookie>> | null = null;
  if (!visitorId) {
    try {
      issued = await issueVisitorCookie({ secure, address: clientAddress(req.headers, serverEnv().TETHER_TRUSTED_PROXIES) });
      visitorId = issued.visitorId;
    } catch (error) {
      if (!(error instanceof AppError) || error.retryAfterSeconds === undefined) throw error;
      return new NextResponse(`${error.message}\n`, { status: 429, headers: { 'content-type': 'text/plain; charset=utf-8', 'retry-after': String(error.retryAfterSeconds) } });
    }
  }
  // A private workspace shows a stranger one page, whatever the address; the cookie is still issued, for the invite it may open.
  if (req.nextUrl.pathname !== JOIN_PAGE && !(await pageMayEnter({ workspace, visitorId: issued ? null : visitorId }))) url.pathname = `/w/${workspace}/private`;
  const response = NextResponse.rewrite(url, forward);
  if (issued) response.cookies.set(issued.name, issued.value, issued.options);
  return response;
}

export const config = {
  // API routes resolve the workspace themselves; static assets need nothing. The service worker and
  // the manifest are the same for every workspace, served from the root; the offline page is too,
  // and comes here only for its nonce.
  matcher: ['/((?!api/|_next/|favicon.ico|icons/|examples/|manifest.webmanifest|robots.txt|sw.js).*)'],
};
