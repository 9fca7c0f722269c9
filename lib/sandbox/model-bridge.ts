import { timingSafeEqual } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { NO_USAGE, UsageReader, type ModelUsage } from '../messages-api/usage';
import { serveOnSocket, type SocketServer } from './socket-server';

/**
 * The one door out of an agent sandbox: an HTTP proxy on a Unix socket that is bound into that
 * sandbox alone (or, for unconfined agents, on loopback). An agent holds only a token (useless
 * anywhere else); the bridge finds that token's door, which decides what may pass, and forwards
 * what it admits to the real model API with the real key, which never enters the sandbox. It
 * reads each answer's usage on the way back and hands it to the door.
 */

export type BridgeRequest = { method: string; path: string; body: Buffer };
export type BridgeAdmission = {
  ok: true;
  /** The body to send on (the door may have capped it). */
  body: Buffer;
  metered: boolean;
  /** Called once, when the answer ended or broke off, with the usage read from it. */
  /** `streamError`: the error event the answer broke off with mid-stream, if any. */
  done: (usage: ModelUsage, streamError: string | null) => void;
};
export type BridgeRefusal = { ok: false; status: number; type: string; message: string; retryAfterSeconds?: number };
/** `cancel` cuts the request (the door calls it when its run ends). */
export type BridgeDoor = { admit: (request: BridgeRequest, cancel: () => void) => BridgeAdmission | BridgeRefusal };

export type ModelBridge = SocketServer & {
  /** token → its door; add one per agent process, delete it when the process ends. */
  doors: Map<string, BridgeDoor>;
};

type Upstream = { baseUrl: string | undefined; apiKey: string };

const DEFAULT_UPSTREAM = 'https://api.anthropic.com';
/** The Messages API's own request size limit. */
export const MAX_REQUEST_BYTES = 32 * 1024 * 1024;
// Hop-by-hop headers (RFC 9110 §7.6.1), the credentials the bridge replaces, and the length it recomputes.
const DROPPED_HEADERS = ['host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'x-api-key', 'authorization', 'content-length'];

/** A bridge on the Unix socket at `socketPath`, listening when this returns (a sandbox may start right after). */
export function startModelBridge({ socketPath, upstream, onError }: { socketPath: string; upstream: Upstream; onError: (error: Error) => void }): ModelBridge {
  const doors = new Map<string, BridgeDoor>();
  return { doors, ...serveOnSocket(bridgeServer(doors, upstream), socketPath, onError) };
}

/** A bridge on a loopback port, for agents that run without the sandbox. */
export async function startLoopbackModelBridge({ upstream, onError }: { upstream: Upstream; onError: (error: Error) => void }): Promise<ModelBridge & { url: string }> {
  const doors = new Map<string, BridgeDoor>();
  const server = bridgeServer(doors, upstream);
  server.on('error', onError);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    doors,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((done) => (server.close(() => done()), server.closeAllConnections())),
  };
}

function bridgeServer(doors: Map<string, BridgeDoor>, upstream: Upstream): Server {
  const base = new URL(upstream.baseUrl ?? DEFAULT_UPSTREAM);
  return createServer((req, res) => {
    const door = doorOf(req.headers, doors);
    if (!door) return refuse(req, res, { ok: false, status: 401, type: 'authentication_error', message: 'This token is not valid here.' });
    readBody(req, MAX_REQUEST_BYTES).then(
      (body) => {
        if (!body) return refuse(req, res, { ok: false, status: 413, type: 'request_too_large', message: `Request bodies are limited to ${MAX_REQUEST_BYTES / 1024 / 1024} MiB.` });
        const url = new URL(req.url ?? '/', 'http://bridge');
        const admission = door.admit({ method: req.method ?? 'GET', path: url.pathname, body }, () => res.destroy());
        if (!admission.ok) return refuse(req, res, admission);
        forward({ req, res, base, url, upstream, admission });
      },
      () => res.destroy(),
    );
  });
}

function forward({ req, res, base, url, upstream, admission }: { req: IncomingMessage; res: ServerResponse; base: URL; url: URL; upstream: Upstream; admission: BridgeAdmission }) {
  const headers: IncomingHttpHeaders = { ...req.headers };
  for (const name of DROPPED_HEADERS) delete headers[name];
  let reader: UsageReader | null = null;
  const send = base.protocol === 'https:' ? httpsRequest : httpRequest;
  const outbound = send(
    {
      protocol: base.protocol,
      hostname: base.hostname,
      port: base.port,
      method: req.method,
      path: base.pathname.replace(/\/$/, '') + url.pathname + url.search,
      // Plain bytes back, so the usage can be read as they pass.
      headers: { ...headers, 'x-api-key': upstream.apiKey, 'content-length': String(admission.body.length), 'accept-encoding': 'identity' },
    },
    (answer) => {
      const ok = (answer.statusCode ?? 500) < 300;
      if (admission.metered && ok) reader = new UsageReader(String(answer.headers['content-type']).includes('text/event-stream'));
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.on('data', (chunk: Buffer) => reader?.write(chunk));
      answer.pipe(res);
    },
  );
  outbound.on('error', (error) => {
    if (res.headersSent) return void res.destroy();
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: `Model API unreachable: ${error.message}` } }));
  });
  // Ended, or cut (Stop, the process ended, the run's door shut): stop the upstream request too,
  // and meter what came back so far.
  res.on('close', () => {
    outbound.destroy();
    admission.done(reader?.result() ?? NO_USAGE, reader?.streamError ?? null);
  });
  outbound.end(admission.body);
}

function refuse(req: IncomingMessage, res: ServerResponse, { status, type, message, retryAfterSeconds }: BridgeRefusal) {
  req.resume();
  res.writeHead(status, { 'content-type': 'application/json', ...(retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {}) });
  res.end(JSON.stringify({ type: 'error', error: { type, message } }));
}

/** The body, or null when it passes `limit` bytes. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return resolve(null);
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function doorOf(headers: IncomingHttpHeaders, doors: Map<string, BridgeDoor>): BridgeDoor | undefined {
  const presented = headers['x-api-key'] ?? headers.authorization?.replace(/^Bearer\s+/i, '');
  if (typeof presented !== 'string') return undefined;
  const a = Buffer.from(presented);
  for (const [token, door] of doors) {
    const b = Buffer.from(token);
    if (a.length === b.length && timingSafeEqual(a, b)) return door;
  }
  return undefined;
}
