import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { clientAddress, PEER_HEADER, recordPeerAddresses } from './client-address';

const headers = (entries: Record<string, string>) => new Headers(entries);

describe('clientAddress', () => {
  it("is the socket's peer, whatever X-Forwarded-For says, unless the peer is a trusted proxy", () => {
    const forged = headers({ [PEER_HEADER]: '203.0.113.7', 'x-forwarded-for': '198.51.100.1' });
    expect(clientAddress(forged, [])).toBe('203.0.113.7');
    expect(clientAddress(forged, ['10.0.0.2'])).toBe('203.0.113.7');
  });

  it('behind trusted proxies, is the last hop that is not one of them', () => {
    const proxied = headers({ [PEER_HEADER]: '::ffff:10.0.0.2', 'x-forwarded-for': '198.51.100.1, 203.0.113.7, 10.0.0.3' });
    expect(clientAddress(proxied, ['10.0.0.2', '10.0.0.3'])).toBe('203.0.113.7');
    expect(clientAddress(headers({ [PEER_HEADER]: '10.0.0.2' }), ['10.0.0.2'])).toBe('10.0.0.2');
  });
});

describe('recordPeerAddresses', () => {
  it("stamps each request with its socket's address, replacing a header the client sent", async () => {
    recordPeerAddresses();
    const server = createServer((req, res) => res.end(String(req.headers[PEER_HEADER])));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const seen = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, headers: { [PEER_HEADER]: '198.51.100.9' } }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      req.end();
    });
    server.close();
    expect(seen).toBe('127.0.0.1');
  });
});
