import { Server, type IncomingMessage, type ServerResponse } from 'node:http';
import { PEER_HEADER } from './client-address';

/** Answers a request itself and returns true, or returns false to leave it to Next. */
export type ServeBeforeNext = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * Sees every request to the app's HTTP server before Next does (installed once, at start, before
 * the first request): it stamps the socket's peer address (`lib/client-address.ts`), then offers
 * the request to `serveBeforeNext`. Next's server is created inside `next start`, out of our
 * reach, so the hook sits on `Server.prototype.emit`. Servers on Unix sockets are the agent
 * sandbox's own bridges (`lib/sandbox/`), not the app: they are left alone.
 */
export function hookRequests(serveBeforeNext: ServeBeforeNext): void {
  const store = globalThis as { tetherRequestHook?: ServeBeforeNext };
  const installed = store.tetherRequestHook !== undefined;
  store.tetherRequestHook = serveBeforeNext;
  if (installed) return;
  const emit = Server.prototype.emit;
  Server.prototype.emit = function (this: Server, event: string | symbol, ...args: unknown[]) {
    if (event === 'request' && typeof this.address() !== 'string') {
      const [req, res] = args as [IncomingMessage, ServerResponse];
      req.headers[PEER_HEADER] = req.socket?.remoteAddress ?? '';
      if (store.tetherRequestHook!(req, res)) return true;
    }
    return emit.apply(this, [event, ...args] as Parameters<typeof emit>);
  } as typeof Server.prototype.emit;
}
