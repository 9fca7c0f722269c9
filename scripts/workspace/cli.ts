/**
 * `npm run workspace -- <command>`: make a workspace, and run who may use a private one.
 *   create NAME [--allow-bash] [--allow-web] [--private]
 *   invite NAME [--uses N] [--expires 7d] [--label "Ana's phone"] [--origin URL]
 *   members NAME
 *   revoke NAME MEMBER
 * `invite`, `members` and `revoke` talk to the database the server uses (as configured by the
 * same environment), so they reach every instance. The embedded PGlite can be opened by one process
 * at a time: while the server runs on it, they ask the server instead, over its socket in the data
 * folder (`operator-channel.ts`).
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { askRunningServer, inviteDurationSchema, memberRefSchema, runOperatorRequest, type Invite, type Member, type OperatorRequest } from '@/features/access/server';
import { createWorkspace } from '@/features/workspaces/server';
import { workspaceNameSchema } from '@/features/workspaces';
import { serverEnv } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { deviceName } from '@/lib/device-name';
import { relativeTime } from '@/lib/relative-time';

export type Io = { out: (line?: string) => void; err: (line: string) => void };

const USAGE = [
  'usage: npm run workspace -- create NAME [--allow-bash] [--allow-web] [--private]',
  '       npm run workspace -- invite NAME [--uses N] [--expires 7d] [--label "Ana\'s phone"] [--origin URL]',
  '       npm run workspace -- members NAME',
  '       npm run workspace -- revoke NAME MEMBER',
].join('\n');

const options = {
  'allow-bash': { type: 'boolean' },
  'allow-web': { type: 'boolean' },
  private: { type: 'boolean' },
  uses: { type: 'string' },
  expires: { type: 'string' },
  label: { type: 'string' },
  origin: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const inviteFlagsSchema = z.object({
  uses: z.coerce.number().int('a whole number').min(1, 'at least 1').max(100, 'at most 100').default(1),
  expires: z.string().default('7d').pipe(inviteDurationSchema),
  label: z.string().trim().max(100, 'at most 100 characters').default(''),
  origin: z.url({ protocol: /^https?$/ }).optional(),
});

/** The running server's answer when one listens on this data folder, else the database's own. */
async function operate<T>(request: OperatorRequest): Promise<T> {
  const remote = await askRunningServer(request);
  return (remote ? remote.result : await runOperatorRequest(request)) as T;
}

/** A usage mistake: printed with the usage, exit code 2. */
class UsageError extends Error {}

/** Runs one command; resolves to the process's exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    if (values.help) {
      io.out(USAGE);
      return 0;
    }
    const [command, name, ...rest] = positionals;
    if (!command || !name) throw new UsageError('a command and a workspace name are needed');
    const parsedName = workspaceNameSchema.safeParse(name);
    if (!parsedName.success) throw new UsageError(`invalid workspace name "${name}": ${parsedName.error.issues[0]?.message}`);
    switch (command) {
      case 'create':
        return create(name, values, io);
      case 'invite':
        return await invite(name, values, io);
      case 'members':
        return await members(name, io);
      case 'revoke':
        if (rest.length !== 1) throw new UsageError('revoke takes one MEMBER (an ID from `members`)');
        return await revoke(name, rest[0]!, io);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      io.err(`${error.message}\n${USAGE}`);
      return 2;
    }
    io.err(error instanceof AppError ? error.message : String(error));
    return 1;
  }
}

function create(name: string, values: { 'allow-bash'?: boolean; 'allow-web'?: boolean; private?: boolean }, io: Io): number {
  const workspace = createWorkspace({
    name,
    config: { allowBash: values['allow-bash'] ?? false, allowWeb: values['allow-web'] ?? false, access: values.private ? 'invite' : 'public' },
  });
  io.out(`Created workspace "${workspace.name}" in ${workspace.filesDir}`);
  if (values.private) io.out(`It is private: let someone in with  npm run workspace -- invite ${name}`);
  return 0;
}

/** The workspace's address as visitors type it: https on a real domain; locally, next start's default port. */
function originOf(name: string): string {
  const base = serverEnv().TETHER_BASE_DOMAIN;
  return base === 'localhost' ? `http://${name}.localhost:3000` : `https://${name}.${base}`;
}

async function invite(name: string, values: Partial<Record<'uses' | 'expires' | 'label' | 'origin', string>>, io: Io): Promise<number> {
  const flags = inviteFlagsSchema.safeParse(values);
  if (!flags.success) {
    const issue = flags.error.issues[0]!;
    throw new UsageError(`--${String(issue.path[0])}: ${issue.message}`);
  }
  const { uses, expires, label, origin } = flags.data;
  const made = await operate<Invite & { private: boolean }>({
    command: 'invite',
    workspace: name,
    origin: origin?.replace(/\/+$/, '') ?? originOf(name),
    options: { uses, label, expiresInSeconds: expires },
  });
  // The link goes to standard output alone, so `… invite NAME | qrencode` or a copy takes just it.
  io.out(made.url);
  io.err(
    `${uses === 1 ? 'Works once' : `Works ${uses} times`}, until ${made.expiresAt}.${made.private ? '' : ` Note: ${name} is public; set "access": "invite" in its workspace.json to make it private.`}`,
  );
  return 0;
}

async function members(name: string, io: Io): Promise<number> {
  const listed = await operate<Member[]>({ command: 'members', workspace: name });
  if (listed.length === 0) {
    io.out(`No members of ${name} yet: npm run workspace -- invite ${name}`);
    return 0;
  }
  const now = Date.now();
  const rows = [
    ['ID', 'LABEL', 'BROWSER', 'LAST SEEN'],
    ...listed.map((member) => [
      member.memberId.slice(0, 8),
      member.label || (member.via === 'handoff' ? '(opened a handoff link)' : '-'),
      deviceName(member.userAgent),
      relativeTime(Date.parse(member.lastSeenAt), now),
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)) + 2);
  for (const row of rows) io.out(row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join(''));
  return 0;
}

async function revoke(name: string, member: string, io: Io): Promise<number> {
  const ref = memberRefSchema.safeParse(member);
  if (!ref.success) throw new UsageError(`MEMBER: ${ref.error.issues[0]?.message}`);
  const memberId = await operate<string>({ command: 'revoke', workspace: name, member: ref.data });
  io.out(`Revoked ${memberId.slice(0, 8)}: its next request gets the private page, and its open streams end within seconds.`);
  return 0;
}
