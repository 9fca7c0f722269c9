import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';

/**
 * One operator command: its usage, its options as `util.parseArgs` reads them, a zod schema that
 * turns what was read into checked input, and the work. Every command reads its input the same
 * way, so each error names the option and the process exits 2 for bad usage, as Unix tools do.
 */

/** What a command's run returns: the process's exit code. 0 fine, 1 something is wrong, 2 bad usage. */
export type ExitCode = 0 | 1 | 2;

export type Output = { out: (line?: string) => void; err: (line: string) => void };

type Options = NonNullable<ParseArgsConfig['options']>;

export type Command<S extends z.ZodType> = {
  name: string;
  summary: string;
  usage: string;
  /** Each option's line in `--help`. */
  help: string[];
  options: Options;
  /** Receives `{ ...values, positionals }`. */
  schema: S;
  run: (input: z.output<S>, io: Output) => Promise<ExitCode>;
};

export type AnyCommand = Command<z.ZodType>;

export const defineCommand = <S extends z.ZodType>(command: Command<S>): AnyCommand => command as unknown as AnyCommand;

/** Bad usage: the message is printed with the command's usage line, and the process exits 2. */
export class UsageError extends Error {}

/** A refusal the operator can act on (no such run, the database is in use): printed as is, exit 1. */
export class CommandError extends Error {}

/** The command's input from its arguments, or a UsageError that says what is wrong. */
export function readInput<S extends z.ZodType>(command: Command<S>, args: string[]): z.output<S> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, '.'));
  }
  const result = command.schema.safeParse({ ...parsed.values, positionals: parsed.positionals });
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length > 0 ? `${issue.path[0] === 'positionals' ? 'argument' : `--${String(issue.path[0])}`}: ` : '';
    throw new UsageError(`${where}${issue.message}`);
  }
  return result.data;
}

/** `7d`, `12h`, `30m`, `45s`, `2w` → seconds. */
export const ageSchema = z
  .string()
  .regex(/^\d+[smhdw]$/, 'an age such as 7d, 12h, 30m (s, m, h, d or w)')
  .transform((text) => Number(text.slice(0, -1)) * { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }[text.at(-1) as 's' | 'm' | 'h' | 'd' | 'w'])
  .refine((seconds) => seconds > 0 && seconds <= 10 * 365 * 86_400, 'more than 0 and at most ten years');

export const workspaceOption = { workspace: { type: 'string', short: 'w' } } as const;
export const jsonOption = { json: { type: 'boolean' } } as const;

/** `--limit N`: a whole number from 1 to `max`. */
export const countSchema = (max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'a whole number')
    .transform(Number)
    .pipe(z.number().min(1, 'at least 1').max(max, `at most ${max}`));

/** No positional arguments beyond these. */
export const noPositionals = z.array(z.string()).max(0, 'this command takes no arguments');
