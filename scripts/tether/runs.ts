import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { operatorRun, operatorRuns, operatorStatus, requestStop, type OperatorRun } from '@/features/runs/server';
import { workspaceNameSchema } from '@/features/workspaces';
import { serverEnv } from '@/lib/env';
import { uuidSchema } from '@/lib/ids';
import { ageSchema, countSchema, CommandError, defineCommand, jsonOption, noPositionals, workspaceOption } from './command';
import { duration, short, table, time, usd } from './format';

const DEFAULT_LIMIT = 50;
/** How often `stop` looks whether the run has ended. */
const STOP_CHECK_MS = 250;

export const runs = defineCommand({
  name: 'runs',
  summary: 'runs, latest first',
  usage: 'runs [--workspace W] [--running] [--limit N] [--json]',
  help: ['--workspace W   only this workspace', '--running       only runs going now', `--limit N       at most N (default ${DEFAULT_LIMIT})`, '--json          the same as JSON'],
  options: { ...workspaceOption, running: { type: 'boolean' }, limit: { type: 'string', short: 'n' }, ...jsonOption },
  schema: z.object({
    workspace: workspaceNameSchema.optional(),
    running: z.boolean().default(false),
    limit: countSchema(10_000).default(DEFAULT_LIMIT),
    json: z.boolean().default(false),
    positionals: noPositionals,
  }),
  async run({ workspace, running, limit, json }, { out }) {
    const list = await operatorRuns({ workspace: workspace ?? null, running, limit });
    if (json) {
      out(JSON.stringify(list, null, 2));
      return 0;
    }
    if (list.length === 0) {
      out(running ? 'No run is going.' : 'No runs.');
      return 0;
    }
    const now = Date.now();
    const rows = list.map((run) => [
      run.id,
      run.workspace,
      short(run.conversationId),
      run.status === 'running' && !run.agentStarted ? 'queued' : run.status,
      run.mode,
      run.model,
      time(run.startedAt),
      duration(run.durationMs ?? (run.status === 'running' ? now - Date.parse(run.startedAt) : null)),
      usd(run.costUsd),
    ]);
    for (const line of table(['RUN', 'WORKSPACE', 'CONVERSATION', 'STATUS', 'MODE', 'MODEL', 'STARTED', 'DURATION', 'COST'], rows)) out(line);
    return 0;
  },
});

export const stop = defineCommand({
  name: 'stop',
  summary: 'stops a run, on whichever instance runs it',
  usage: 'stop RUN [--wait 30s]',
  help: ['RUN          the run id (see `runs --running`)', '--wait T     how long to wait for it to end (default 30s)'],
  options: { wait: { type: 'string' } },
  schema: z.object({ wait: ageSchema.default(30), positionals: z.tuple([uuidSchema], { error: 'give one run id (a UUID)' }) }),
  async run({ wait, positionals: [runId] }, { out }) {
    const run = await operatorRun(runId);
    if (!run) throw new CommandError(`No run ${runId}.`);
    if (run.status !== 'running') {
      out(`Run ${runId} already ended: ${run.status}.`);
      return 0;
    }
    if (!(await requestStop(run))) {
      out(`Run ${runId} ended before the stop reached it.`);
      return 0;
    }
    const ended = await endOf(runId, wait * 1000);
    if (ended) {
      out(`Run ${runId} ${ended.status === 'stopped' ? 'stopped' : `ended before it could be stopped: ${ended.status}`}.`);
      return 0;
    }
    out(await stillRunning(run, wait));
    return 1;
  },
});

/** The run once it is no longer running, or null when `waitMs` passed first. */
async function endOf(runId: string, waitMs: number): Promise<OperatorRun | null> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const now = await operatorRun(runId);
    if (!now || now.status !== 'running') return now;
    if (Date.now() >= deadline) return null;
    await sleep(STOP_CHECK_MS);
  }
}

/** Why the run has not ended yet: its instance is gone (it ends stopped when taken over), or busy. */
async function stillRunning(run: OperatorRun, waitSeconds: number): Promise<string> {
  const owner = (await operatorStatus(serverEnv().TETHER_INSTANCE_STALE_SECONDS)).instances.find((instance) => instance.id === run.owner);
  if (!owner?.alive) {
    return (
      `Stop recorded, but the instance running ${run.id} (${run.owner ? short(run.owner) : 'unknown'}) is not beating. ` +
      'The run ends stopped when a live instance takes it over, or when that instance starts again.'
    );
  }
  return `Stop sent to instance ${short(owner.id)}, but ${run.id} was still running after ${duration(waitSeconds * 1000)}. Run this again, or look at that instance's log.`;
}
