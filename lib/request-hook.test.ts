import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PEER_HEADER } from './client-address';
import { hookRequests } from './request-hook';

const servers: Server[] = [];
afterAll(() => servers.forEach((server) => server.close()));

/** A server whose own handler answers "next saw <peer>", listening on `where` (a port or a Unix socket path). */
async function serve(where: { port: 0; host: string } | { path: string }): Promise<Server> {
  const server = createServer((req, res) => res.end(`next saw ${String(req.headers[PEER_HEADER])}`));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(where, resolve));
  return server;
}

function get(server: Server, urlPath: string): Promise<string> {
  const address = server.address();
  const target = typeof address === 'string' ? { socketPath: address } : { host: '127.0.0.1', port: (address as AddressInfo).port };
  return new Promise((resolve, reject) => {
    const req = request({ ...target, path: urlPath, headers: { [PEER_HEADER]: '198.51.100.9' } }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('hookRequests', () => {
  hookRequests((req, res) => {
    if (req.url !== '/mine') return false;
    res.end(`hook saw ${String(req.headers[PEER_HEADER])}`);
    return true;
  });

  it("stamps each request with its socket's address (replacing a header the client sent) and serves what it claims", async () => {
    const server = await serve({ port: 0, host: '127.0.0.1' });
    expect(await get(server, '/other')).toBe('next saw 127.0.0.1');
    expect(await get(server, '/mine')).toBe('hook saw 127.0.0.1');
  });

  it('leaves servers on Unix sockets (the sandbox bridges) alone', async () => {
    const server = await serve({ path: path.join(mkdtempSync(path.join(tmpdir(), 'tether-hook-')), 'bridge.sock') });
    expect(await get(server, '/mine')).toBe('next saw 198.51.100.9');
  });
});
