import { z } from 'zod';
import { defineCommand, jsonOption, noPositionals } from './command';
import { cgroupCheck, databaseCheck, diskChecks, redisCheck, sandboxChecks, vapidCheck, type Check } from './doctor-checks';

/**
 * What this machine and its settings need for Tether to run safely, each with OK or the problem
 * and what to do about it. Exits 1 when anything is wrong, so a deploy script can stop there.
 */
export const doctor = defineCommand({
  name: 'doctor',
  summary: 'checks the sandbox, cgroups, disk reserve, database, Redis and VAPID keys',
  usage: 'doctor [--json]',
  help: ['--json    the same as JSON', 'Exits 1 when something is wrong.'],
  options: { ...jsonOption },
  schema: z.object({ json: z.boolean().default(false), positionals: noPositionals }),
  async run({ json }, { out }) {
    const checks: Check[] = [...sandboxChecks(), cgroupCheck(), ...diskChecks(), await databaseCheck(), await redisCheck(), vapidCheck()];
    const problems = checks.filter((check) => !check.ok).length;
    if (json) out(JSON.stringify({ ok: problems === 0, checks }, null, 2));
    else {
      const width = Math.max(...checks.map((check) => check.name.length));
      for (const check of checks) {
        out(`${check.ok ? 'OK     ' : 'PROBLEM'}  ${check.name.padEnd(width)}  ${check.detail}`);
        if (check.fix) out(`${' '.repeat(9 + width)}  fix: ${check.fix}`);
      }
      out(problems === 0 ? 'Everything checked is fine.' : `${problems} problem${problems === 1 ? '' : 's'}.`);
    }
    return problems === 0 ? 0 : 1;
  },
});
