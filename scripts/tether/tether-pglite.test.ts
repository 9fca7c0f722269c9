/**
 * The operator's command line on the embedded PGlite default. This test process is the server (a
 * real run: the SDK and its CLI against the scripted Messages API, the heartbeat, the Stop poll);
 * PGlite is one process's alone, so the commands run here in it, and a second process that tries
 * the same folder is refused with a message that says why. `purge` deletes idle conversations with
 * their agent homes and keeps one with a run going. `doctor` without bubblewrap on the PATH names
 * it and its fix.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsUntilEnd, startAgentTestEnv } from '@/tests/fixtures/agent-env';
import { runTetherCli } from '@/tests/fixtures/tether-cli';
import type { MessagesApi, Reply } from '@/lib/messages-api/server';
import type { RunEvent } from '@/features/timeline';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-cli-pglite-'));
const visitorId = randomUUID();
let api: MessagesApi;
let main: typeof import('./cli').main;
let runs: typeof import('@/features/runs/server');
let workspace: import('@/features/workspaces/server').Workspace;

// A long, slow answer (about 6 s): still going when the operator stops it.
const slow = (): Reply => ({ blocks: [{ type: 'text_chunks', chunks: Array.from({ length: 300 }, (_, i) => `w${i} `) }], delayMs: 20 });

/** One command line in this process: its exit code and what it printed. */
async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (line = '') => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

beforeAll(async () => {
  api = await startAgentTestEnv({ responder: slow, dataDir });
  workspace = (await import('@/features/workspaces/server')).createWorkspace({ name: 'ops', files: { 'a.txt': 'a\n' } });
  runs = await import('@/features/runs/server');
  ({ main } = await import('./cli'));
  const cluster = await import('@/features/cluster/server');
  await cluster.startHeartbeat(async () => {});
  await runs.obeyOtherInstances(); // as the server's start does: Stop through the database too
});

afterAll(async () => {
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

describe('npm run tether on PGlite', () => {
  it('status and runs show a run going; stop ends it stopped and its viewer gets end', async () => {
    const info = await runs.startRun({ visitorId, workspace, conversationId: randomUUID(), text: 'count slowly', model: 'claude-sonnet-4-5', mode: 'build' });
    const run = runs.requireRun({ runId: info.id, visitorId, workspace: workspace.name });
    const viewer = eventsUntilEnd(run);
    await new Promise<void>((resolve) => run.subscribe(0, (event) => event.type === 'text' && resolve()));

    const status = await cli('status', '--json');
    expect(status.code).toBe(0);
    const now = JSON.parse(status.out) as import('@/features/runs/server').OperatorStatus;
    expect(now.running + now.queued).toBe(1);
    expect(now.instances).toEqual([expect.objectContaining({ id: (await import('@/features/cluster/server')).instanceId(), alive: true, running: 1 })]);
    expect((await cli('status')).out).toMatch(/Instances \(1;[\s\S]*alive[\s\S]*Spent in the last 24 h: \$/);

    const going = await cli('runs', '--running', '--workspace', 'ops');
    expect(going.code).toBe(0);
    expect(going.out.split('\n')[0]).toMatch(/^RUN +WORKSPACE +CONVERSATION +STATUS +MODE +MODEL +STARTED +DURATION +COST$/);
    expect(going.out).toMatch(new RegExp(`${info.id} +ops +${info.conversationId.slice(0, 8)} +(running|queued) +build +claude-sonnet-4-5 `));

    const stopped = await cli('stop', info.id);
    expect(stopped).toMatchObject({ code: 0, out: `Run ${info.id} stopped.` });
    const seen: RunEvent[] = await viewer;
    expect(seen.at(-1)).toMatchObject({ type: 'end', status: 'stopped' });
    const after = JSON.parse((await cli('runs', '--json')).out) as Array<{ id: string; status: string }>;
    expect(after.find((listed) => listed.id === info.id)?.status).toBe('stopped');
    expect(await cli('stop', info.id)).toMatchObject({ code: 0, out: `Run ${info.id} already ended: stopped.` });
  });

  it('refuses bad input with its usage and exit 2, and an unknown run with exit 1', async () => {
    expect(await cli('runs', '--limit', 'lots')).toMatchObject({ code: 2, err: expect.stringContaining('runs: --limit: a whole number') });
    expect(await cli('stop', 'not-a-run')).toMatchObject({ code: 2, err: expect.stringContaining('usage: npm run tether -- stop RUN') });
    expect(await cli('purge')).toMatchObject({ code: 2, err: expect.stringContaining('--older-than: say how old') });
    expect(await cli('launch')).toMatchObject({ code: 2, err: expect.stringContaining('Unknown command "launch"') });
    const missing = randomUUID();
    expect(await cli('stop', missing)).toMatchObject({ code: 1, err: `No run ${missing}.` });
  });

  it('doctor checks the database it is on, with the sandbox, cgroups, disk, Redis and VAPID keys', async () => {
    const { code, out } = await cli('doctor', '--json');
    const report = JSON.parse(out) as { ok: boolean; checks: Array<{ name: string; ok: boolean; detail: string; fix?: string }> };
    expect(report.checks.map((check) => check.name)).toEqual(['bubblewrap', 'socat', 'sandbox', 'cgroups', 'disk reserve', 'disk reserve', 'database', 'redis', 'vapid keys']);
    expect(report.checks.find((check) => check.name === 'database')).toMatchObject({ ok: true, detail: expect.stringMatching(/^pglite: reachable, \d+ migrations applied/) });
    expect(report.checks.filter((check) => !check.ok).every((check) => check.fix)).toBe(true);
    expect(code).toBe(report.ok ? 0 : 1);
  });

  it('conversations lists a workspace’s; purge deletes those idle for the age with their agent home, and keeps one with a run going', async () => {
    const conversations = await import('@/features/conversations/server');
    const { agentHome } = await import('@/features/sandbox/server');
    const { insertRun, recordRunEnd } = await import('@/features/runs/server/queries');
    const [idle, busy] = [randomUUID(), randomUUID()];
    await conversations.openConversation({ id: idle, visitorId, workspace: 'ops', title: 'Idle one' });
    await conversations.openConversation({ id: busy, visitorId, workspace: 'ops', title: 'Busy one' });
    // A run going, as the database records it: purge goes by the records.
    const going = (await insertRun({ id: randomUUID(), conversationId: busy, model: 'claude-sonnet-4-5', mode: 'build', owner: randomUUID() }))!;
    mkdirSync(agentHome(idle), { recursive: true });
    writeFileSync(path.join(agentHome(idle), 'transcript.jsonl'), '{}\n');
    const listed = await cli('conversations', '--workspace', 'ops');
    expect(listed.out).toMatch(new RegExp(`^${busy} +${visitorId.slice(0, 8)} .* running +\\$0\\.00 +Busy one$`, 'm'));
    expect(listed.out).toMatch(new RegExp(`^${idle} .* Idle one$`, 'm'));

    await new Promise((resolve) => setTimeout(resolve, 1100)); // both are now idle for more than 1 s
    const dry = await cli('purge', '--older-than', '1s', '--dry-run');
    expect(dry).toMatchObject({ code: 0, out: expect.stringMatching(/conversations? would be deleted \(dry run\)\.$/) });
    expect(dry.out).toContain(idle);
    expect(dry.out).not.toContain(busy);
    expect(existsSync(agentHome(idle))).toBe(true);

    const purged = await cli('purge', '--older-than', '1s');
    expect(purged).toMatchObject({ code: 0, out: expect.stringMatching(/^Deleted \d+ conversations? with their runs, subscriptions and attachments\.$/m) });
    expect(purged.out).toContain(idle);
    expect(existsSync(agentHome(idle))).toBe(false);
    const left = await cli('conversations', '--workspace', 'ops', '--json');
    expect((JSON.parse(left.out) as Array<{ id: string }>).map((conversation) => conversation.id)).toEqual([busy]);
    await recordRunEnd({ id: going.id, status: 'stopped', costUsd: null, inputTokens: null, outputTokens: null, durationMs: 0, error: null });
  });

  it('another process on the same PGlite folder is refused: it says the server holds it, and what to do; doctor finds that as it should be', async () => {
    const other = await runTetherCli(['status'], { TETHER_DATA_DIR: dataDir });
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(`The embedded database in ${path.join(dataDir, 'db')} is in use by process ${process.pid}`);
    expect(other.stderr).toContain('use PostgreSQL (DATABASE_URL)');
    // doctor: the server holding its folder is as it should be.
    const doctor = await runTetherCli(['doctor', '--json'], { TETHER_DATA_DIR: dataDir });
    const report = JSON.parse(doctor.stdout) as { checks: Array<{ name: string; ok: boolean; detail: string }> };
    expect(report.checks.find((check) => check.name === 'database')).toMatchObject({
      ok: true,
      detail: `pglite: held by process ${process.pid} (the server, one process at a time), so not opened from here`,
    });
  });

  it('doctor reports a missing bubblewrap with its fix, and exits 1', async () => {
    // A PATH with node alone: no bwrap, no socat.
    const bin = path.join(mkdtempSync(path.join(tmpdir(), 'tether-cli-path-')), 'bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, path.join(bin, 'node'));
    const { code, stdout } = await runTetherCli(['doctor'], { PATH: bin, TETHER_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tether-cli-nobwrap-')) });
    expect(code).toBe(1);
    expect(stdout).toMatch(/^PROBLEM +bubblewrap +bwrap is not on the PATH\n +fix: apt-get install -y bubblewrap socat/m);
    expect(stdout).toMatch(/^PROBLEM +sandbox +not tried: it needs bubblewrap and socat/m);
    expect(stdout).toMatch(/^OK +database +pglite: reachable/m);
  });
});
