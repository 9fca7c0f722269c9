import { describe, expect, it } from 'vitest';
import { clientAddress, PEER_HEADER } from './client-address';

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
