/**
 * The operator's command line on PostgreSQL, as an operator uses it: the servers are processes of
 * their own (the server's real start-up, tests/fixtures/instance-process.ts) running a real run (the
 * SDK and its CLI against the scripted Messages API, a slow answer), and each command is another
 * process that knows only the database (and Redis), no cookie and no secret. `stop` ends the run
 * `stopped` and its viewer gets `end`: through the database alone, and with Redis for a viewer on
 * another instance. A run whose instance is gone ends stopped when a live one takes it over.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import webpush from 'web-push';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { unmountUnder } from '@/lib/mounts';
import { startMessagesApi, type MessagesApi } from '@/lib/messages-api/server';
import { continuationScript, LONG } from '@/tests/fixtures/continuation-script';
import { startInstance, type Instance } from '@/tests/fixtures/instance-process';
import { scratchPostgres, scratchRedis } from '@/tests/fixtures/scratch-services';
import { runTetherCli } from '@/tests/fixtures/tether-cli';
import type { RunEvent } from '@/features/timeline';
import type { OperatorStatus } from '@/features/runs/server';

const root = mkdtempSync(path.join(tmpdir(), 'tether-cli-postgres-'));
const visitorId = randomUUID();
const vapid = webpush.generateVAPIDKeys();
let api: MessagesApi;
const running: Instance[] = [];
const released: Array<() => Promise<void>> = [];

beforeAll(async () => {
  api = await startMessagesApi({ responder: continuationScript });
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((instance) => instance.kill('SIGKILL')));
  for (const release of released.splice(0)) await release();
});

afterAll(async () => {
  await api?.close();
  unmountUnder(root);
});

/** A database (and, asked for, a Redis) of this test's own; the settings every process gets. */
async function services(withRedis: boolean): Promise<Record<string, string>> {
  const postgres = await scratchPostgres('tether_cli');
  released.push(postgres.release);
  const shared: Record<string, string> = { DATABASE_URL: postgres.url, VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey, VAPID_SUBJECT: 'mailto:ops@example.org' };
  if (!withRedis) return shared;
  const redisDb = await scratchRedis();
  released.push(redisDb.release);
  return { ...shared, REDIS_URL: redisDb.url };
}

async function instance(shared: Record<string, string>, env: Record<string, string> = {}): Promise<Instance> {
  const started = await startInstance({
    ...shared,
    ...env,
    TETHER_DATA_DIR: mkdtempSync(path.join(root, 'data-')),
    ANTHROPIC_API_KEY: 'test-key',
    ANTHROPIC_BASE_URL: api.url,
    TETHER_AGENT_MAX_RETRIES: '0',
    TETHER_BASE_DOMAIN: 'localhost',
    LOG_LEVEL: 'warn',
  });
  running.push(started);
  return started;
}

/** The command line, on a data folder of its own: what it knows of the servers is in the database. */
const cli = (shared: Record<string, string>, ...args: string[]) => runTetherCli(args, { ...shared, TETHER_DATA_DIR: mkdtempSync(path.join(root, 'cli-')), TETHER_BASE_DOMAIN: 'localhost' });

/** Sends the slow answer on `owner`; resolves with the run's id once it is answering, and the send's own events at the end. */
async function slowRun(owner: Instance) {
  let answering!: (runId: string) => void;
  const begun = new Promise<string>((resolve) => (answering = resolve));
  let runId = '';
  const sent = owner.send({ visitorId, conversationId: randomUUID(), text: LONG }, (event) => {
    if (event.type === 'start') runId = event.runId;
    if (event.type === 'text') answering(runId);
  });
  return { runId: await begun, sent };
}

const endOf = (events: RunEvent[]) => events.at(-1);

describe('npm run tether on PostgreSQL', () => {
  it('status, runs and stop through the database alone: the run ends stopped and its viewer gets end; doctor', async () => {
    const shared = await services(false);
    const server = await instance(shared);
    const { runId, sent } = await slowRun(server);
    const viewer = server.follow({ visitorId, runId, after: 0 });

    const status = await cli(shared, 'status', '--json');
    expect(status.code).toBe(0);
    const now = JSON.parse(status.stdout) as OperatorStatus;
    expect(now.instances).toEqual([expect.objectContaining({ alive: true, running: 1 })]);
    expect(now.running + now.queued).toBe(1);

    const listed = await cli(shared, 'runs', '--running');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^${runId} +instances +[0-9a-f]{8} +(running|queued) +plan `, 'm'));

    const stopped = await cli(shared, 'stop', runId);
    expect(stopped).toMatchObject({ code: 0, stdout: `Run ${runId} stopped.\n` });
    expect(endOf(await viewer)).toMatchObject({ type: 'end', status: 'stopped' });
    expect(endOf(await sent)).toMatchObject({ type: 'end', status: 'stopped' });
    expect((await cli(shared, 'runs')).stdout).toMatch(new RegExp(`^${runId} +instances +[0-9a-f]{8} +stopped `, 'm'));

    const doctor = await cli(shared, 'doctor', '--json');
    const report = JSON.parse(doctor.stdout) as { ok: boolean; checks: Array<{ name: string; ok: boolean; detail: string }> };
    expect(report.checks.find((check) => check.name === 'database')).toMatchObject({ ok: true, detail: expect.stringMatching(/^postgres: reachable/) });
    expect(report.checks.find((check) => check.name === 'vapid keys')).toMatchObject({ ok: true, detail: expect.stringContaining('from the environment') });
    expect(doctor.code).toBe(report.ok ? 0 : 1);
  });

  it('with Redis, stop reaches the instance running the run, and a viewer on another instance gets end', async () => {
    const shared = await services(true);
    const owner = await instance(shared);
    const elsewhere = await instance(shared);
    const { runId, sent } = await slowRun(owner);
    const viewer = elsewhere.follow({ visitorId, runId, after: 0 });

    const status = JSON.parse((await cli(shared, 'status', '--json')).stdout) as OperatorStatus;
    expect(status.instances).toHaveLength(2);
    expect(status.instances.map((listed) => listed.running).sort()).toEqual([0, 1]);

    expect(await cli(shared, 'stop', runId)).toMatchObject({ code: 0, stdout: `Run ${runId} stopped.\n` });
    expect(endOf(await viewer)).toMatchObject({ type: 'end', status: 'stopped' });
    expect(endOf(await sent)).toMatchObject({ type: 'end', status: 'stopped' });

    const doctor = JSON.parse((await cli(shared, 'doctor', '--json')).stdout) as { checks: Array<{ name: string; ok: boolean; detail: string }> };
    expect(doctor.checks.find((check) => check.name === 'redis')).toMatchObject({ ok: true, detail: 'reachable (PING: PONG)' });
  });

  it('when the instance running the run is gone, stop says so; the run ends stopped once a live instance takes it over', async () => {
    const shared = { ...(await services(false)), TETHER_INSTANCE_STALE_SECONDS: '3' };
    const owner = await instance(shared);
    const { runId, sent } = await slowRun(owner);
    void sent.catch(() => {}); // its process is killed: the send never ends there
    await owner.kill('SIGKILL');
    running.splice(running.indexOf(owner), 1);
    // Until its heartbeat is older than the stale time, the instance still looks alive.
    for (;;) {
      const now = JSON.parse((await cli(shared, 'status', '--json')).stdout) as OperatorStatus;
      if (now.instances.every((listed) => !listed.alive)) break;
    }
    const stopped = await cli(shared, 'stop', runId, '--wait', '1s');
    expect(stopped.code).toBe(1);
    expect(stopped.stdout).toContain(`Stop recorded, but the instance running ${runId}`);
    expect(stopped.stdout).toContain('is not beating. The run ends stopped when a live instance takes it over');

    await instance(shared);
    for (;;) {
      const [run] = JSON.parse((await cli(shared, 'runs', '--json')).stdout) as Array<{ id: string; status: string }>;
      if (run?.status !== 'running') {
        expect(run).toMatchObject({ id: runId, status: 'stopped' });
        break;
      }
    }
  });
});
