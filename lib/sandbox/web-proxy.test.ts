import { mkdtempSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SocketServer } from './socket-server';
import { isPublicAddress, startWebProxy, WebAllowance } from './web-proxy';

const dir = mkdtempSync(path.join(tmpdir(), 'tether-web-proxy-'));
const socketPath = path.join(dir, 'web.sock');
let proxy: SocketServer;
let local: Server;
let localPort: number;
const resolved: string[] = [];

beforeAll(async () => {
  local = createServer((_req, res) => res.end('a loopback service')).listen(0, '127.0.0.1');
  await new Promise((resolve) => local.once('listening', resolve));
  localPort = (local.address() as AddressInfo).port;
  // Names resolve as the test says; "rebind.test" answers a public address and a private one.
  const names: Record<string, string[]> = {
    'public.test': ['93.184.215.14'],
    'rebind.test': ['93.184.215.14', '10.1.2.3'],
    'metadata.test': ['169.254.169.254'],
  };
  proxy = startWebProxy({
    socketPath,
    allowance: new WebAllowance(8, 1 << 20),
    lookup: async (host) => {
      resolved.push(host);
      if (!names[host]) throw new Error('ENOTFOUND');
      return names[host]!;
    },
    onError: (error) => {
      throw error;
    },
  });
});

afterAll(async () => {
  await proxy.close();
  local.close();
});

/** Sends a CONNECT through the proxy and returns its status line. */
function tunnel(target: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath, () => socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`));
    socket.once('data', (chunk) => {
      resolve(chunk.toString().split('\r\n')[0]!);
      socket.destroy();
    });
    socket.on('error', reject);
  });
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: url, headers: { host: 'example.test' } }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('isPublicAddress', () => {
  it.each([
    '127.0.0.1',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:a00:1',
    'not an ip',
  ])('refuses %s', (address) => expect(isPublicAddress(address)).toBe(false));

  it.each(['93.184.215.14', '1.1.1.1', '2606:4700:4700::1111'])('allows %s', (address) => expect(isPublicAddress(address)).toBe(true));
});

describe('the web proxy', () => {
  it.each([
    ['the host loopback by address', () => `127.0.0.1:${localPort}`],
    ['PostgreSQL on loopback', () => '127.0.0.1:5432'],
    ['a private range', () => '10.0.0.1:443'],
    ['the cloud metadata address, by name', () => 'metadata.test:80'],
    ['a name that also resolves to a private address', () => 'rebind.test:443'],
    ['IPv6 loopback', () => '[::1]:443'],
  ])('refuses a tunnel to %s', async (_what, target) => {
    expect(await tunnel(target())).toBe('HTTP/1.1 403 Forbidden');
  });

  it('tries a public destination (no internet here, so it ends in 502, not 403)', async () => {
    expect(await tunnel('public.test:443')).toMatch(/^HTTP\/1\.1 (200|502)/);
    expect(resolved).toContain('public.test');
  });

  it('refuses plain http to loopback, and anything but absolute http URLs', async () => {
    expect(await get(`http://127.0.0.1:${localPort}/`)).toMatchObject({ status: 403, body: expect.stringContaining('not on the public internet') });
    expect((await get('/relative')).status).toBe(400);
  });
});

describe("the web proxy's allowance", () => {
  // A "public" server for this test alone: it serves 64 KiB, or holds the connection open.
  let site: Server;
  let sitePort: number;
  const sockets: string[] = [];

  beforeAll(async () => {
    site = createServer((req, res) => (req.url === '/hold' ? res.write('held') : res.end(Buffer.alloc(64 * 1024, 'x')))).listen(0, '127.0.0.1');
    await new Promise((resolve) => site.once('listening', resolve));
    sitePort = (site.address() as AddressInfo).port;
  });

  afterAll(() => {
    site.closeAllConnections();
    site.close();
  });

  function proxyWith(allowance: WebAllowance): string {
    const at = path.join(dir, `web-${sockets.length}.sock`);
    sockets.push(at);
    startWebProxy({
      socketPath: at,
      allowance,
      lookup: async () => ['127.0.0.1'],
      isAllowed: (address) => address === '127.0.0.1',
      onError: (error) => {
        throw error;
      },
    });
    return at;
  }

  function fetchVia(at: string, urlPath: string): Promise<{ status: number; bytes: number; cut: boolean }> {
    return new Promise((resolve) => {
      const req = request({ socketPath: at, path: `http://site.test:${sitePort}${urlPath}` }, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (urlPath === '/hold') resolve({ status: res.statusCode ?? 0, bytes, cut: false });
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, cut: false }));
        res.on('error', () => resolve({ status: res.statusCode ?? 0, bytes, cut: true }));
        res.on('aborted', () => resolve({ status: res.statusCode ?? 0, bytes, cut: true }));
      });
      req.on('error', () => resolve({ status: 0, bytes: 0, cut: true }));
      req.end();
    });
  }

  it('refuses connections past the number at once, with a 429, and takes new ones as they close', async () => {
    const allowance = new WebAllowance(2, 1 << 30);
    const at = proxyWith(allowance);
    expect((await fetchVia(at, '/hold')).status).toBe(200);
    expect((await fetchVia(at, '/hold')).status).toBe(200);
    const third = await fetchVia(at, '/');
    expect(third.status).toBe(429);
    site.closeAllConnections(); // the held ones end
    await expect.poll(async () => (await fetchVia(at, '/')).status).toBe(200);
  });

  it('cuts the download that crosses the bytes per run, refuses the next, and starts afresh with the next run', async () => {
    const allowance = new WebAllowance(8, 100 * 1024);
    const at = proxyWith(allowance);
    expect(await fetchVia(at, '/')).toMatchObject({ status: 200, bytes: 64 * 1024, cut: false });
    const crossing = await fetchVia(at, '/');
    expect(crossing.cut).toBe(true);
    expect(crossing.bytes).toBeLessThan(64 * 1024);
    expect((await fetchVia(at, '/')).status).toBe(429);
    allowance.startRun();
    expect((await fetchVia(at, '/')).status).toBe(200);
  });
});
