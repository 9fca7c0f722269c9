/**
 * What listens on a loopback port, told apart by what it answers: nothing (the connection is
 * refused), the server we want, or something else (another program, or a server we can't use).
 */
import { createConnection, createServer } from 'node:net';

export type PortState = 'free' | 'usable' | 'taken';

/** The service a test run needs, and whether this run started it (and so must stop it). */
export type TestService = { url: string; started: boolean; stop: () => Promise<void> };

/** A port nothing listens on right now, picked by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Sends `request` and reads until `answered` says the reply is whole. A server that accepts and
 * then says nothing useful counts as "taken" after `waitMs`, so a stray program can't hang the run.
 */
export function askPort({
  port,
  request,
  answered,
  waitMs = 3000,
}: {
  port: number;
  request: string;
  answered: (reply: string) => boolean;
  waitMs?: number;
}): Promise<{ result: 'refused' | 'answered' | 'other'; reply: string }> {
  return new Promise((resolve) => {
    let reply = '';
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (result: 'refused' | 'answered' | 'other') => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ result, reply });
    };
    const timer = setTimeout(() => done('other'), waitMs);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (answered(reply)) done('answered');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED' ? 'refused' : 'other'));
    socket.on('close', () => done(answered(reply) ? 'answered' : 'other'));
  });
}

/** Polls `probe` until it reports `want`; a service that never gets there fails the run with `what`. */
export async function waitFor({ probe, want, what, tries = 120 }: { probe: () => Promise<PortState>; want: PortState; what: string; tries?: number }) {
  for (let i = 0; i < tries; i++) {
    if ((await probe()) === want) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} did not become ${want}`);
}
