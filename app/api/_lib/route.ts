import type { IncomingMessage, ServerResponse } from 'node:http';
import { NextRequest } from 'next/server';
import { assertMayEnter, isPrivate, watchMembership } from '@/features/access/server';
import { issueVisitorCookie, serializeCookie, verifyVisitorCookie, visitorCookieName } from '@/features/visitors/server';
import { countRequest, routePattern } from '@/features/metrics/server';
import { workspaceFromHost } from '@/features/workspaces';
import { requireWorkspace, type Workspace } from '@/features/workspaces/server';
import { serverEnv } from '@/lib/env';
import { clientAddress } from '@/lib/client-address';
import { errorAnswer, errorResponse, parseInput } from '@/lib/http';
import { uuidSchema } from '@/lib/ids';
import { assertSameOrigin, isHttpsRequest } from '@/lib/request-origin';
import { securityHeaders } from '@/lib/security-headers';
import { conversationActor, runActor, type ActorOf } from './acting-visitor';

type Context<P> = { req: NextRequest; params: P; visitorId: string; workspace: Workspace };

/**
 * Every API handler runs inside this: a state-changing request from another site is refused
 * (403) before anything else, the Host picks the workspace (unknown → 404), the signed cookie
 * names the visitor (a new one is issued when missing), and thrown AppErrors become
 * `{ error: { code, message } }` with their status. The security headers come from
 * next.config.ts, which Next applies to route handlers' answers too.
 */
function plainRoute<P extends Record<string, string> = Record<string, never>>(handler: (context: Context<P>) => Promise<Response>, { gate = true }: Gate = {}) {
  return async (req: NextRequest, { params }: { params: Promise<P> }): Promise<Response> => {
    let setCookie: string | undefined;
    let response: Response;
    try {
      const caller = await identifyCaller(req, { gate });
      setCookie = caller.setCookie;
      response = await handler({ req, params: await params, ...caller });
    } catch (error) {
      response = errorResponse(error);
    }
    if (setCookie) response.headers.append('set-cookie', setCookie);
    countRequest({ route: routePattern(req.nextUrl.pathname, await params), method: req.method, status: response.status });
    return response;
  };
}

/**
 * The same for a handler the app serves before Next does (`app/api/node-routes.ts`), writing to
 * Node's response itself. Next's header config doesn't reach these answers: they get the security
 * headers here. These are long-lived streams: in a private workspace one is cut within seconds of
 * its visitor's membership being revoked (the client's reconnect then gets the 404).
 */
function plainNodeRoute<P extends Record<string, string>>(handler: (context: Context<P> & { res: ServerResponse }) => void | Promise<void>) {
  return (incoming: IncomingMessage, res: ServerResponse, params: Record<string, string>): Promise<void> =>
    serveBeforeNext(incoming, res, async (req) => {
      const caller = await identifyCaller(req);
      if (caller.setCookie) res.setHeader('set-cookie', caller.setCookie);
      if (isPrivate(caller.workspace)) res.on('close', watchMembership({ workspace: caller.workspace.name, visitorId: caller.visitorId, onRevoked: () => res.destroy() }));
      await handler({ req, params: params as P, visitorId: caller.visitorId, workspace: caller.workspace, res });
    });
}

type Params = Record<string, string>;
/** What a handler reads before the actor is looked up (its body, its query), so a bad request costs no database trip. */
type Options<C, I> = { input: (context: C) => I | Promise<I> };
type Acting<I> = { actor: string; input: I };
/** `route.conversation()` and its kin: with or without `{ input }`, the handler gets the id, `input` and `actor`. */
type ActingRoute<C, R, Out> = {
  (handler: (context: C & Acting<undefined>) => Promise<R>): Out;
  <I>(options: Options<C, I>, handler: (context: C & Acting<I>) => Promise<R>): Out;
};
type Wrap<C, R, Out> = (handler: (context: C) => Promise<R>) => Out;

/**
 * A wrapper for the routes under a conversation or a run (`[id]`): it checks the id, reads the
 * handler's input, and resolves once whose rights the caller acts with (`actor`: the owner's for
 * one of the conversation's devices), so no handler looks that up itself.
 */
function actingRoute<K extends string, C extends Context<Params>, R, Out>({ key, actorOf, wrap }: { key: K; actorOf: ActorOf; wrap: Wrap<C, R, Out> }) {
  return ((first: unknown, second?: unknown) => {
    const [options, handler] = (second === undefined ? [undefined, first] : [first, second]) as [Options<C, unknown> | undefined, (context: C & Acting<unknown>) => Promise<R>];
    return wrap(async (context) => {
      const id = parseInput(uuidSchema, context.params.id, 'params');
      const input = await options?.input(context);
      const actor = await actorOf({ id, visitorId: context.visitorId, workspace: context.workspace.name });
      return handler({ ...context, [key]: id, input, actor });
    });
  }) as ActingRoute<C & Record<K, string>, R, Out>;
}

/**
 * `route()`, plus `route.conversation()` and `route.run()` for the routes under
 * `conversations/[id]` and `runs/[id]` that act with the owner's rights, and `route.joining()` for
 * the two a private workspace answers before the caller is a member (opening an invite or a handoff
 * link), which must hide their refusals from strangers themselves (`asNewcomer`).
 */
export const route = Object.assign(plainRoute, {
  joining: (handler: (context: Context<Record<string, never>>) => Promise<Response>) => plainRoute(handler, { gate: false }),
  conversation: actingRoute({ key: 'conversationId', actorOf: conversationActor, wrap: plainRoute<Params> }),
  run: actingRoute({ key: 'runId', actorOf: runActor, wrap: plainRoute<Params> }),
});

/** `nodeRoute()`, plus `nodeRoute.run()` (as `route.run()`). */
export const nodeRoute = Object.assign(plainNodeRoute, {
  run: actingRoute({ key: 'runId', actorOf: runActor, wrap: plainNodeRoute<Params> }),
});

/**
 * What every route served before Next shares: the security headers, the request as a
 * NextRequest, and errors answered as `{ error }` (or, once a stream has begun, ending it).
 */
export async function serveBeforeNext(incoming: IncomingMessage, res: ServerResponse, serve: (req: NextRequest) => Promise<void>): Promise<void> {
  for (const { key, value } of securityHeaders({ development: serverEnv().NODE_ENV === 'development' })) res.setHeader(key, value);
  try {
    await serve(new NextRequest(new URL(incoming.url ?? '/', 'http://localhost'), { method: incoming.method, headers: headersOf(incoming) }));
  } catch (error) {
    // Once the stream has begun, the failure is the stream's to report (it ends the response).
    if (res.headersSent) return void res.destroy();
    writeError(res, error);
  }
}

/** The workspace the request's Host names (404 for none). */
export function workspaceOf(req: NextRequest): Workspace {
  return requireWorkspace(workspaceFromHost(req.headers.get('host'), serverEnv().TETHER_BASE_DOMAIN));
}

/** `gate: false` lets a caller who is no member of a private workspace through (see `route.joining`). */
type Gate = { gate?: boolean };

/**
 * Who is asking, in which workspace; issues a visitor cookie (`setCookie`) to a newcomer. A private
 * workspace answers a stranger exactly as a missing one does (404, no cookie issued).
 */
async function identifyCaller(req: NextRequest, { gate = true }: Gate = {}): Promise<{ visitorId: string; workspace: Workspace; setCookie?: string }> {
  assertSameOrigin(req);
  const workspace = workspaceOf(req);
  const secure = isHttpsRequest(req);
  const visitorId = verifyVisitorCookie(req.cookies.get(visitorCookieName({ secure }))?.value);
  if (gate) await assertMayEnter({ workspace, visitorId });
  if (visitorId) return { visitorId, workspace };
  const issued = await issueVisitorCookie({ secure, address: clientAddress(req.headers, serverEnv().TETHER_TRUSTED_PROXIES) });
  return { visitorId: issued.visitorId, workspace, setCookie: serializeCookie(issued.name, issued.value, issued.options) };
}

function headersOf(incoming: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, item);
  }
  return headers;
}

/** `errorResponse()`'s answer, written to a Node response. */
export function writeError(res: ServerResponse, error: unknown): void {
  const { status, body, headers } = errorAnswer(error);
  res.writeHead(status, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify(body));
}
