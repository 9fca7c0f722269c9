import { timingSafeEqual } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { serveOnSocket, type SocketServer } from './socket-server';

/**
 * The one door out of an agent sandbox: an HTTP proxy on a Unix socket that is bound into that
 * sandbox alone. The agent holds only `token` (useless anywhere else); the bridge checks it and
 * forwards the request to the real model API with the real key, which never enters the sandbox.
 */

const DEFAULT_UPSTREAM = 'https://api.anthropic.com';
// Hop-by-hop headers (RFC 9110 §7.6.1) and the credentials the bridge replaces.
const DROPPED_HEADERS = ['host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'x-api-key', 'authorization'];

export function startModelBridge({ socketPath, token, upstream, onError }: {
  socketPath: string;
  token: string;
  upstream: { baseUrl: string | undefined; apiKey: string };
  onError: (error: Error) => void;
}): SocketServer {
  const base = new URL(upstream.baseUrl ?? DEFAULT_UPSTREAM);
  const server: Server = createServer((req, res) => {
    if (!hasToken(req.headers, token)) {
      req.resume();
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: 'This token is not valid here.' } }));
      return;
    }
    const headers: IncomingHttpHeaders = { ...req.headers };
    for (const name of DROPPED_HEADERS) delete headers[name];
    const send = base.protocol === 'https:' ? httpsRequest : httpRequest;
    const outbound = send(
      {
        protocol: base.protocol,
        hostname: base.hostname,
        port: base.port,
        method: req.method,
        path: base.pathname.replace(/\/$/, '') + (req.url ?? '/'),
        headers: { ...headers, 'x-api-key': upstream.apiKey },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    outbound.on('error', (error) => {
      if (res.headersSent) return void res.destroy();
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: `Model API unreachable: ${error.message}` } }));
    });
    // The agent hung up (Stop, or the process ended): stop the upstream request too.
    res.on('close', () => outbound.destroy());
    req.pipe(outbound);
  });
  return serveOnSocket(server, socketPath, onError);
}

function hasToken(headers: IncomingHttpHeaders, token: string): boolean {
  const presented = headers['x-api-key'] ?? headers.authorization?.replace(/^Bearer\s+/i, '');
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
