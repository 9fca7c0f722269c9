import type { Server } from 'node:http';

/** A server a sandbox reaches through a Unix socket bound into it. */
export type SocketServer = { close: () => Promise<void> };

/**
 * Serves `server` on the Unix socket at `socketPath`. The socket is bound and listening when
 * listen() returns (the 'listening' event only follows), so a sandbox started right after can
 * connect; a later failure goes to `onError`. close() also ends the connections still open.
 */
export function serveOnSocket(server: Server, socketPath: string, onError: (error: Error) => void): SocketServer {
  server.on('error', onError);
  server.listen(socketPath);
  return {
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
