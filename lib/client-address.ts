import { isIP } from 'node:net';

/**
 * Who is asking: the address per-address limits count. Next's route handlers and proxy don't
 * see the socket, and Next only fills `X-Forwarded-For` when the client sent none — so a client
 * could name any address it likes. The request hook (`lib/request-hook.ts`) stamps every request
 * with its socket's peer in a header of our own, replacing whatever the client sent under it.
 */
export const PEER_HEADER = 'x-tether-peer';

/**
 * The client's address: the socket's peer, unless that peer is one of `trustedProxies` — then the
 * last address in `X-Forwarded-For` that is not itself a trusted proxy (what the nearest
 * untrusted hop said it was). Behind a proxy, without the setting, every visitor would share the
 * proxy's address.
 */
export function clientAddress(headers: Headers, trustedProxies: string[]): string {
  let address = normalize(headers.get(PEER_HEADER) ?? '') || 'unknown';
  const hops = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((hop) => normalize(hop.trim()))
    .filter((hop) => isIP(hop) !== 0);
  while (trustedProxies.includes(address) && hops.length > 0) address = hops.pop()!;
  return address;
}

/** IPv4-mapped IPv6 (`::ffff:10.0.0.1`, how dual-stack sockets report IPv4) as plain IPv4. */
function normalize(address: string): string {
  return address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
}
