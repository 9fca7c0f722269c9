/**
 * `tsx scripts/with-test-services.ts 'COMMAND'`: runs COMMAND (a shell line, or a program and its
 * arguments) with a PostgreSQL and a Redis the tests can use, named to it by TEST_DATABASE_URL and
 * TEST_REDIS_URL. Each is the one already listening on its port when that one is usable (CI, and
 * most dev machines: then nothing is started), otherwise one started here under the test folder
 * and stopped when COMMAND ends. A TEST_DATABASE_URL or TEST_REDIS_URL already set is used as is.
 */
import { spawn } from 'node:child_process';
import { z } from 'zod';
import type { TestService } from './test-services/ports';
import { ensurePostgres } from './test-services/postgres';
import { ensureRedis } from './test-services/redis';

const env = z
  .object({
    TEST_DATABASE_URL: z.url().optional(),
    TEST_REDIS_URL: z.url().optional(),
    TETHER_TEST_PG_PORT: z.coerce.number().int().min(1).max(65_535).default(5432),
    TETHER_TEST_REDIS_PORT: z.coerce.number().int().min(1).max(65_535).default(6379),
    TETHER_TEST_SERVICES_DIR: z.string().min(1).default('.test-services'),
  })
  .parse(process.env);

const command = process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === '--'));
if (command.length === 0) {
  process.stderr.write("usage: tsx scripts/with-test-services.ts 'COMMAND'\n");
  process.exit(2);
}

const given = (url: string): TestService => ({ url, started: false, stop: async () => {} });
const say = (line: string) => process.stderr.write(`test services: ${line}\n`);

function runCommand(extraEnv: Record<string, string>): Promise<number> {
  const [program, ...args] = command as [string, ...string[]];
  const child =
    command.length === 1 ? spawn(program, { shell: true, stdio: 'inherit', env: { ...process.env, ...extraEnv } }) : spawn(program, args, { stdio: 'inherit', env: { ...process.env, ...extraEnv } });
  // Ctrl-C reaches the child too (same process group); we stay to stop the services after it.
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

const services: TestService[] = [];
let code = 1;
try {
  const postgres = env.TEST_DATABASE_URL ? given(env.TEST_DATABASE_URL) : await ensurePostgres({ port: env.TETHER_TEST_PG_PORT, dir: env.TETHER_TEST_SERVICES_DIR });
  services.push(postgres);
  const redis = env.TEST_REDIS_URL ? given(env.TEST_REDIS_URL) : await ensureRedis({ port: env.TETHER_TEST_REDIS_PORT, dir: env.TETHER_TEST_SERVICES_DIR });
  services.push(redis);
  for (const [name, service] of [
    ['PostgreSQL', postgres],
    ['Redis', redis],
  ] as const)
    say(`${name} ${service.url}${service.started ? ' (started for this run)' : ''}`);
  code = await runCommand({ TEST_DATABASE_URL: postgres.url, TEST_REDIS_URL: redis.url });
} catch (error) {
  say(error instanceof Error ? error.message : String(error));
} finally {
  for (const service of services.filter((each) => each.started).reverse()) {
    await service.stop().catch((error: Error) => say(`stopping ${service.url}: ${error.message}`));
  }
}
process.exit(code);
