/**
 * The test run's service starter, against real servers: nothing on the port (it starts one there),
 * a usable server on the port (it starts nothing), and a port held by another program (it starts
 * one on another port). Each server it starts is gone after `stop()`.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './ports';
import { ensurePostgres, probePostgres } from './postgres';
import { ensureRedis, probeRedis } from './redis';

let dir: string;
let stranger: Server;
let strangerPort: number;
const strangerSockets = new Set<Socket>();
beforeAll(async () => {
  // Reachable by the postgres user, as a checkout's test folder is.
  dir = mkdtempSync(path.join(tmpdir(), 'tether-test-services-'));
  chmodSync(dir, 0o755);
  // Another program on a port: it answers everything with an HTTP error.
  stranger = createServer((socket) => {
    strangerSockets.add(socket.on('close', () => strangerSockets.delete(socket)));
    socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
  });
  await new Promise<void>((resolve) => stranger.listen(0, '127.0.0.1', resolve));
  strangerPort = (stranger.address() as { port: number }).port;
});
afterAll(async () => {
  // A client that never closed its side would hold close() open.
  for (const socket of strangerSockets) socket.destroy();
  await new Promise((resolve) => stranger.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as Array<Record<string, unknown>>;
  } finally {
    await client.end();
  }
}

async function ping(url: string) {
  const client = createClient({ url });
  await client.connect();
  try {
    return await client.ping();
  } finally {
    await client.close();
  }
}

describe('PostgreSQL', () => {
  it('starts one on the port when nothing listens there, uses it while it runs, and stops it', async () => {
    const port = await freePort();
    expect(await probePostgres(port)).toBe('free');
    const service = await ensurePostgres({ port, dir });
    expect(service).toMatchObject({ url: `postgres://postgres@127.0.0.1:${port}/test`, started: true });
    expect(await query(service.url, 'select current_database() as name')).toEqual([{ name: 'test' }]);
    await query(service.url, 'create table kept (id int)');

    const again = await ensurePostgres({ port, dir });
    expect(again).toMatchObject({ url: service.url, started: false });

    await service.stop();
    expect(await probePostgres(port)).toBe('free');
  });

  it('starts one on another port when the port is held by something else, and keeps its data folder', async () => {
    expect(await probePostgres(strangerPort)).toBe('taken');
    const service = await ensurePostgres({ port: strangerPort, dir });
    const port = Number(new URL(service.url).port);
    try {
      expect(service.started).toBe(true);
      expect(port).not.toBe(strangerPort);
      // The same cluster as the first test's, started again: its table is still there.
      expect(await query(service.url, "select to_regclass('kept')::text as name")).toEqual([{ name: 'kept' }]);
    } finally {
      await service.stop();
    }
    expect(await probePostgres(port)).toBe('free');
  });
});

describe('Redis', () => {
  it('starts one on the port when nothing listens there, uses it while it runs, and stops it', async () => {
    const port = await freePort();
    expect(await probeRedis(port)).toBe('free');
    const service = await ensureRedis({ port, dir });
    expect(service).toMatchObject({ url: `redis://127.0.0.1:${port}`, started: true });
    expect(await ping(`${service.url}/15`)).toBe('PONG');

    const again = await ensureRedis({ port, dir });
    expect(again).toMatchObject({ url: service.url, started: false });

    await service.stop();
    expect(await probeRedis(port)).toBe('free');
  });

  it('starts one on another port when the port is held by something else', async () => {
    expect(await probeRedis(strangerPort)).toBe('taken');
    const service = await ensureRedis({ port: strangerPort, dir });
    const port = Number(new URL(service.url).port);
    try {
      expect(service.started).toBe(true);
      expect(port).not.toBe(strangerPort);
      expect(await ping(service.url)).toBe('PONG');
    } finally {
      await service.stop();
    }
    expect(await probeRedis(port)).toBe('free');
  });
});
