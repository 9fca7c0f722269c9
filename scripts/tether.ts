/**
 * `npm run tether -- <command>`: status, runs, stop, conversations, purge, doctor (see
 * scripts/tether/cli.ts and the README's "Operator command line").
 */
import process from 'node:process';

// The server's info lines would interleave with the tables: the command line logs warnings only,
// unless LOG_LEVEL says otherwise. Set before lib/env first reads the environment, which is why
// the rest is imported after it.
process.env.LOG_LEVEL ??= 'warn';

const { main } = await import('./tether/cli');
const { closeDb } = await import('@/lib/db/connection');
const { closeRedis } = await import('@/lib/redis');
const code = await main(process.argv.slice(2), {
  out: (line = '') => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
// PGlite writes its files and gives its folder back at close. A Redis that never answered never
// closes: it is not waited for long.
await Promise.race([closeRedis(), new Promise((resolve) => setTimeout(resolve, 1000))]);
await closeDb().catch(() => {});
// A Redis still reconnecting would keep the process alive: the answer is out.
process.exit(code);
