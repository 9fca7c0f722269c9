import 'server-only';
import { chmodSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { z } from 'zod';
import { workspaceNameSchema } from '@/features/workspaces';
import { findWorkspace } from '@/features/workspaces/server';
import { dataDir, dataPath } from '@/lib/data-dir';
import { AppError, type ErrorCode } from '@/lib/errors';
import { logger } from '@/lib/logger';
import { inviteOptionsSchema, memberRefSchema } from '../schemas';
import { createInvite } from './invites';
import { isPrivate, listMembers, revokeMember } from './members';

/**
 * The embedded PGlite database can be opened by one process at a time, so while the server runs
 * the command line can't reach it. The server then listens on a Unix socket in its data folder
 * (in a folder of mode 0700: whoever may read the database's files anyway) and does what the command line asks.
 * With PostgreSQL or Supabase the command line talks to the database itself and this stays off.
 * The socket carries invite links, so it logs no request and no answer.
 */
export const operatorSocketPath = (): string => dataPath('operator', 'cli.sock');

const workspace = workspaceNameSchema;
export const operatorRequestSchema = z.discriminatedUnion('command', [
  z.strictObject({ command: z.literal('invite'), workspace, origin: z.url({ protocol: /^https?$/ }), options: inviteOptionsSchema }),
  z.strictObject({ command: z.literal('members'), workspace }),
  z.strictObject({ command: z.literal('revoke'), workspace, member: memberRefSchema }),
]);
export type OperatorRequest = z.input<typeof operatorRequestSchema>;
type Answer = { ok: true; result: unknown } | { ok: false; code: ErrorCode; message: string };

/** Does what the command line asks, against this process's database. An invite says whether its workspace is private yet. */
export async function runOperatorRequest(input: unknown): Promise<unknown> {
  const request = operatorRequestSchema.parse(input);
  // The server's own look (it has the workspace's disk image mounted already).
  const found = findWorkspace(request.workspace);
  if (!found) throw new AppError('not_found:workspace', `No workspace "${request.workspace}" (make it with: npm run workspace -- create ${request.workspace} --private).`);
  switch (request.command) {
    case 'invite':
      return { ...(await createInvite({ workspace: request.workspace, origin: request.origin, options: request.options })), private: isPrivate(found) };
    case 'members':
      return listMembers(request.workspace);
    case 'revoke':
      return revokeMember({ workspace: request.workspace, member: request.member });
  }
}

const MAX_REQUEST_BYTES = 16 * 1024;

/** Listens for the command line (one JSON line in, one out, per connection). */
export function serveOperatorChannel(): Server {
  // The folder, not the socket's own mode, keeps others out: the socket exists before a chmod could reach it.
  chmodSync(dataDir('operator'), 0o700);
  const socketPath = operatorSocketPath();
  // A socket file left by an earlier process of this data folder (it listens no more).
  rmSync(socketPath, { force: true });
  const server = createServer((socket) => {
    let received = '';
    socket.setEncoding('utf8');
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.length > MAX_REQUEST_BYTES) return void socket.destroy();
      const end = received.indexOf('\n');
      if (end === -1) return;
      socket.pause();
      void answer(received.slice(0, end)).then((reply) => socket.end(`${JSON.stringify(reply)}\n`));
    });
  });
  server.on('error', (error) => logger.warn('the operator socket failed: npm run workspace needs the server stopped meanwhile', { error }));
  server.listen(socketPath);
  return server.unref();
}

async function answer(line: string): Promise<Answer> {
  try {
    return { ok: true, result: await runOperatorRequest(JSON.parse(line)) };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, code: error.code, message: error.message };
    if (error instanceof z.ZodError || error instanceof SyntaxError) return { ok: false, code: 'bad_request:invalid_body', message: 'Not a request this server knows.' };
    logger.error('an operator request failed', { error });
    return { ok: false, code: 'internal', message: 'The server could not do it; its log says why.' };
  }
}

/**
 * Asks the running server, when one listens on this data folder's socket: its answer, or null
 * when none does (then open the database directly). A refusal comes back as the AppError it was.
 */
export async function askRunningServer(request: OperatorRequest): Promise<{ result: unknown } | null> {
  const reply = await new Promise<string | null>((resolve, reject) => {
    const socket = connect(operatorSocketPath());
    let received = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('end', () => resolve(received));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' || error.code === 'ECONNREFUSED' ? resolve(null) : reject(error)));
  });
  if (reply === null) return null;
  const answer = JSON.parse(reply) as Answer;
  if (!answer.ok) throw new AppError(answer.code, answer.message);
  return { result: answer.result };
}
