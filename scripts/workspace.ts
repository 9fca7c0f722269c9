/**
 * `npm run workspace -- create|invite|members|revoke …` (see scripts/workspace/cli.ts and the
 * README's "Private workspaces"). A new workspace is served at NAME.<base domain> at once.
 */
// The server's info lines would mix with the link and the tables: warnings only, unless LOG_LEVEL
// says otherwise. Set before lib/env first reads the environment.
process.env.LOG_LEVEL ??= 'warn';

const { main } = await import('./workspace/cli');
const code = await main(process.argv.slice(2), {
  out: (line = '') => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
// PGlite's worker and Redis' reconnect timers would keep the process alive: the answer is out.
const { closeDb } = await import('@/lib/db/connection');
await closeDb();
process.exit(code);

export {};
