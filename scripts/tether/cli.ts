import { PgliteInUseError } from '@/lib/db/pglite-lock';
import { CommandError, readInput, UsageError, type AnyCommand, type ExitCode, type Output } from './command';
import { conversations, purge } from './conversations';
import { doctor } from './doctor';
import { runs, stop } from './runs';
import { status } from './status';

/**
 * `npm run tether -- <command>`: the operator's command line. It talks to the database (and Redis)
 * the way every instance does, through the features' own queries, so it sees and acts on every
 * instance, and it never needs the server's cookie secret.
 */
export const commands: AnyCommand[] = [status, runs, stop, conversations, purge, doctor];

const usageOf = (command: AnyCommand) => `usage: npm run tether -- ${command.usage}`;

function overview(): string[] {
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    'usage: npm run tether -- <command> [options]',
    '',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    "npm run tether -- <command> --help   a command's options",
    'It reads the same environment as the server (DATABASE_URL, REDIS_URL, TETHER_DATA_DIR, ...).',
  ];
}

/** Runs one command line; resolves with the exit code. The connections stay open (the caller's to close: a test shares them). */
export async function main(args: string[], io: Output): Promise<ExitCode> {
  const [name, ...rest] = args;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    for (const line of overview()) (name ? io.out : io.err)(line);
    return name ? 0 : 2;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    io.err(`Unknown command "${name}".`);
    for (const line of overview()) io.err(line);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(usageOf(command));
    io.out('');
    io.out(`${command.summary[0]!.toUpperCase()}${command.summary.slice(1)}.`);
    for (const line of command.help) io.out(`  ${line}`);
    return 0;
  }
  try {
    return await command.run(readInput(command, rest), io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${name}: ${error.message}`);
      io.err(usageOf(command));
      return 2;
    }
    if (error instanceof CommandError || error instanceof PgliteInUseError) {
      io.err(error.message);
      return 1;
    }
    io.err(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
