import { z } from 'zod';
import { operatorStatus } from '@/features/runs/server';
import { serverEnv } from '@/lib/env';
import { defineCommand, jsonOption, noPositionals } from './command';
import { ago, short, table, time, usd } from './format';

/**
 * The whole place at a glance, from the database every instance shares: each instance and its
 * heartbeat, the runs going and waiting, and the last 24 hours' spend against the budgets.
 */
export const status = defineCommand({
  name: 'status',
  summary: 'instances, runs going and queued, agents, the last 24 h of spend',
  usage: 'status [--json]',
  help: ['--json    the same as JSON'],
  options: { ...jsonOption },
  schema: z.object({ json: z.boolean().default(false), positionals: noPositionals }),
  async run({ json }, { out }) {
    const env = serverEnv();
    const now = await operatorStatus(env.TETHER_INSTANCE_STALE_SECONDS);
    if (json) {
      out(JSON.stringify(now, null, 2));
      return 0;
    }
    out(`Instances (${now.instances.length}; silent for ${env.TETHER_INSTANCE_STALE_SECONDS} s counts as gone):`);
    if (now.instances.length === 0) out('  none is running (none has beaten since its last clean stop)');
    else {
      const rows = now.instances.map((instance) => [short(instance.id), time(instance.startedAt), ago(instance.heartbeatAt), String(instance.running), instance.alive ? 'alive' : 'silent']);
      for (const line of table(['INSTANCE', 'STARTED', 'LAST HEARTBEAT', 'RUNS', 'STATE'], rows)) out(`  ${line}`);
    }
    out(`Runs going: ${now.running}   queued or starting: ${now.queued}`);
    // Warm processes live in each instance's memory only; the runs table knows the busy ones.
    out(`Agent processes busy: ${now.running} (one per run going; warm ones are counted by each instance's /metrics)`);
    const budget = env.TETHER_BUDGET_USD_PER_WORKSPACE_PER_DAY;
    out(`Spent in the last 24 h: ${usd(now.spentUsd)}${budget > 0 ? ` (each workspace may spend ${usd(budget)})` : ''}`);
    for (const { workspace, spentUsd } of now.spentByWorkspace) out(`  ${workspace.padEnd(24)} ${usd(spentUsd)}${budget > 0 && spentUsd >= budget ? '  budget used up' : ''}`);
    return 0;
  },
});
