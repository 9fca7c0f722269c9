import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, connect, isIP } from 'node:net';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { serveOnSocket, type SocketServer } from './socket-server';

/**
 * The sandbox's way to the web, for workspaces that allow it: an HTTP proxy (CONNECT for https,
 * absolute-form requests for http) on a Unix socket bound into one sandbox. It resolves each
 * host itself, refuses loopback, private, link-local (cloud metadata), shared and reserved
 * addresses, and connects to the address it checked — so DNS rebinding can't slip past.
 */

export type Lookup = (host: string) => Promise<string[]>;

const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 127],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  blocked.addSubnet(network, prefix, 'ipv6');

/** True for an address on the public internet. BlockList checks IPv4-mapped IPv6 addresses against the IPv4 rules. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return !blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

const systemLookup: Lookup = async (host) => (await dnsLookup(host, { all: true })).map((entry) => entry.address);

/** The address to connect to, or why not: every address the host resolves to must be public. */
async function destination(host: string, lookup: Lookup, isAllowed: (address: string) => boolean): Promise<{ address: string } | { refused: string }> {
  const bare = host.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(bare) ? [bare] : await lookup(bare);
  } catch {
    return { refused: `cannot resolve ${bare}` };
  }
  if (addresses.length === 0) return { refused: `cannot resolve ${bare}` };
  const hidden = addresses.find((address) => !isAllowed(address));
  if (hidden) return { refused: `${bare} is not on the public internet (${hidden})` };
  return { address: addresses[0]! };
}

/**
 * What one agent process may take from the web: connections at once, and bytes (both ways) per
 * run (`startRun` resets the count). Past either, new connections are refused and a connection
 * that crosses the byte limit is cut.
 */
export class WebAllowance {
  private connections = 0;
  private bytes = 0;

  constructor(
    readonly maxConnections: number,
    readonly maxBytes: number,
  ) {}

  startRun(): void {
    this.bytes = 0;
  }

  /** Why a new connection is refused, or null (then it counts until `release`). */
  take(): string | null {
    if (this.bytes >= this.maxBytes) return `this run has used its web allowance (${Math.round(this.maxBytes / 1024 / 1024)} MB)`;
    if (this.connections >= this.maxConnections) return `at most ${this.maxConnections} web connections may be open at once`;
    this.connections++;
    return null;
  }

  release(): void {
    this.connections--;
  }

  /** Counts `size` bytes; false once the run is past its allowance (cut the connection). */
  count(size: number): boolean {
    this.bytes += size;
    return this.bytes <= this.maxBytes;
  }
}

/** Counts each chunk either way against the allowance, and cuts both ends past it. */
function metered(allowance: WebAllowance, ends: Array<{ on: (event: 'data', listener: (chunk: Buffer) => void) => unknown; destroy: () => void }>) {
  for (const end of ends) end.on('data', (chunk) => allowance.count(chunk.length) || ends.forEach((each) => each.destroy()));
}

export function startWebProxy({
  socketPath,
  allowance,
  lookup = systemLookup,
  isAllowed = isPublicAddress,
  onError,
}: {
  socketPath: string;
  allowance: WebAllowance;
  lookup?: Lookup;
  /** Which addresses may be reached: the public internet (tests name a local server of theirs). */
  isAllowed?: (address: string) => boolean;
  onError: (error: Error) => void;
}): SocketServer {
  const server: Server = createServer(async (req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
      if (url.protocol !== 'http:') throw new Error('not http');
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('This proxy takes absolute http:// URLs, or CONNECT for https.\n');
      return;
    }
    const target = await destination(url.hostname, lookup, isAllowed);
    if ('refused' in target) return void res.writeHead(403, { 'content-type': 'text/plain' }).end(`Refused: ${target.refused}.\n`);
    const limited = allowance.take();
    if (limited) return void res.writeHead(429, { 'content-type': 'text/plain' }).end(`Refused: ${limited}.\n`);
    res.once('close', () => allowance.release());
    const outbound = httpRequest(
      { host: target.address, port: url.port || 80, method: req.method, path: url.pathname + url.search, headers: { ...req.headers, host: url.host }, setHost: false },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        metered(allowance, [answer, res]);
        // An answer the site broke off ends the agent's side too (and frees its connection).
        answer.on('close', () => answer.complete || res.destroy());
        answer.pipe(res);
      },
    );
    metered(allowance, [req, outbound]);
    outbound.on('error', (error) => (res.headersSent ? res.destroy() : res.writeHead(502, { 'content-type': 'text/plain' }).end(`${error.message}\n`)));
    req.pipe(outbound);
  });

  server.on('connect', async (req, client) => {
    const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(req.url ?? '');
    if (!match) return void client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    const target = await destination(match[1]!, lookup, isAllowed);
    if ('refused' in target) return void client.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\n\r\nRefused: ${target.refused}.\n`);
    const limited = allowance.take();
    if (limited) return void client.end(`HTTP/1.1 429 Too Many Requests\r\ncontent-type: text/plain\r\n\r\nRefused: ${limited}.\n`);
    client.once('close', () => allowance.release());
    const upstream = connect(Number(match[2]), target.address, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      metered(allowance, [upstream, client]);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
    // A tunnel lives as long as both ends: the sandbox ending closes it.
    client.on('close', () => upstream.destroy());
    client.on('error', () => upstream.destroy());
  });

  return serveOnSocket(server, socketPath, onError);
}
