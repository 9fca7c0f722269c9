/**
 * The rules on the stores instances share: Redis (a key prefix of its own), the database store on
 * real PostgreSQL (a scratch database, two pools as two servers would have) and on PGlite (one
 * embedded database: two limiter sets over its one connection). Two independent sets of limits
 * share one count; a store that goes down falls back to counting in the instance, never an error.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { openDb, type Db } from '@/lib/db';
import type { Redis } from '@/lib/redis';
import { scratchPostgres, TEST_REDIS_URL } from '@/tests/fixtures/scratch-services';
import { buildLimits } from './limits';
import { databaseStore, redisStore, type LimitStore } from './store';

const settings = {
  TETHER_RUNS_AT_ONCE_PER_VISITOR: 1,
  TETHER_RUNS_PER_VISITOR_PER_HOUR: 5,
  TETHER_CONVERSATIONS_PER_VISITOR_PER_DAY: 3,
  TETHER_NEW_VISITORS_PER_ADDRESS_PER_MINUTE: 4,
  TETHER_BUDGET_USD_PER_VISITOR_PER_DAY: 2,
  TETHER_BUDGET_USD_PER_WORKSPACE_PER_DAY: 20,
  TETHER_VIEWERS_PER_RUN: 3,
  TETHER_VIEWERS_PER_VISITOR: 4,
  TETHER_ATTACHMENT_MB_PER_VISITOR_PER_DAY: 1,
  linksPerMinute: 10,
};

async function eventually(condition: () => Promise<boolean>, what: string) {
  for (let tries = 0; tries < 200; tries++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The same checks on any store kind: `stores()` gives two independent stores over one backend. */
function sharedRules(stores: () => [LimitStore, LimitStore]) {
  const two = () => stores().map((store) => buildLimits(store, settings)) as [ReturnType<typeof buildLimits>, ReturnType<typeof buildLimits>];

  it('with one run at once, the second instance refuses while the first holds it, and either may go once it ends', async () => {
    const [a, b] = two();
    const visitorId = randomUUID();
    expect(await a.runsAtOnce.take({ visitorId, runId: 'first' })).toBe(true);
    expect(await b.runsAtOnce.take({ visitorId, runId: 'second' })).toBe(false);
    expect(await b.runsAtOnce.take({ visitorId: randomUUID(), runId: 'stranger' })).toBe(true);
    await a.runsAtOnce.release('first');
    expect(await b.runsAtOnce.take({ visitorId, runId: 'second' })).toBe(true);
    expect(await a.runsAtOnce.take({ visitorId, runId: 'third' })).toBe(false);
    await b.runsAtOnce.release('second');
    await b.runsAtOnce.release('stranger');
  });

  it('of two instances racing for the last run slot, exactly one gets it', async () => {
    const [a, b] = two();
    const visitorId = randomUUID();
    const won = await Promise.all([a.runsAtOnce.take({ visitorId, runId: 'a' }), b.runsAtOnce.take({ visitorId, runId: 'b' })]);
    expect(won.filter(Boolean)).toHaveLength(1);
    await a.runsAtOnce.release('a');
    await b.runsAtOnce.release('b');
  });

  it('frees a slot left by an instance that died (no renewals) once its lease runs out', async () => {
    const [a, b] = stores();
    const visitorId = randomUUID();
    // What a dead instance leaves behind: slot 0 taken, then never renewed nor released.
    await a.counter({ name: 'runs-at-once', durationSeconds: 1 }).add(`${visitorId}:0`, 1);
    const survivor = buildLimits(b, settings).runsAtOnce;
    expect(await survivor.take({ visitorId, runId: 'blocked' })).toBe(false);
    const shortLease = (await import('./run-slots')).runSlots(b, { limit: 1, leaseSeconds: 1 });
    await eventually(() => shortLease.take({ visitorId, runId: 'after' }), 'the lease to run out');
    await shortLease.release('after');
  });

  it('counts messages per hour once across instances, even when they all arrive at once', async () => {
    const [a, b] = two();
    const visitorId = randomUUID();
    const verdicts = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).runsPerHour.take(visitorId)));
    expect(verdicts.filter((verdict) => verdict.ok)).toHaveLength(5);
    expect(await a.runsPerHour.take(visitorId)).toMatchObject({ ok: false, retryAfterSeconds: expect.any(Number) });
    expect(await b.runsPerHour.take(visitorId)).toMatchObject({ ok: false });
  });

  it('shares conversations per day, new visitors per address and link limits', async () => {
    const [a, b] = two();
    const visitorId = randomUUID();
    for (const limits of [a, b, a]) expect((await limits.conversationsPerDay.take(visitorId)).ok).toBe(true);
    expect((await b.conversationsPerDay.check(visitorId)).ok).toBe(false);
    const address = `203.0.113.${Math.floor(Math.random() * 250)}-${randomUUID()}`;
    for (const limits of [a, b, a, b]) expect((await limits.newVisitors.take(address)).ok).toBe(true);
    expect((await a.newVisitors.take(address)).ok).toBe(false);
    for (let i = 0; i < 10; i++) expect((await (i % 2 ? a : b).linksMade.take(visitorId)).ok).toBe(true);
    expect((await a.linksMade.take(visitorId)).ok).toBe(false);
    expect((await b.handoffsOpened.take(visitorId)).ok).toBe(true);
  });

  it("shares a visitor's daily attachment allowance, and an upload given back frees its share on both", async () => {
    const [a, b] = two();
    const visitorId = randomUUID();
    const kib = 1024;
    expect(await a.attachmentAllowance.take({ visitorId, bytes: 600 * kib })).toMatchObject({ ok: true });
    const second = await b.attachmentAllowance.take({ visitorId, bytes: 400 * kib });
    if (!second.ok) throw new Error('the second upload should fit');
    expect(await a.attachmentAllowance.take({ visitorId, bytes: 25 * kib })).toMatchObject({ ok: false, retryAfterSeconds: expect.any(Number) });
    expect(await a.attachmentAllowance.take({ visitorId: randomUUID(), bytes: 1024 * kib })).toMatchObject({ ok: true });
    await second.giveBack();
    expect(await a.attachmentAllowance.take({ visitorId, bytes: 400 * kib })).toMatchObject({ ok: true });
  });

  it('caps open viewers of a run and of a visitor across instances, and gives a place back when one closes', async () => {
    const [a, b] = two();
    const runId = randomUUID();
    const visitorId = randomUUID();
    const leave = [await a.viewers.open({ runId, visitorId }), await b.viewers.open({ runId, visitorId }), await a.viewers.open({ runId, visitorId })];
    expect(leave.every(Boolean)).toBe(true);
    expect(await b.viewers.open({ runId, visitorId: randomUUID() })).toBeNull(); // 3 per run
    const fourth = await b.viewers.open({ runId: randomUUID(), visitorId });
    expect(fourth).not.toBeNull(); // the visitor's 4th
    expect(await a.viewers.open({ runId: randomUUID(), visitorId })).toBeNull(); // 4 per visitor
    await fourth!();
    await leave[1]!();
    const another = await a.viewers.open({ runId, visitorId: randomUUID() });
    expect(another).not.toBeNull();
    await Promise.all([leave[0]!(), leave[2]!(), another!()]);
  });

  it("drops a dead instance's viewers from the count within a period, and keeps the living one's", async () => {
    const [a, b] = stores();
    const { sharedGauge } = await import('./shared-gauge');
    const runId = randomUUID();
    // What a dead instance leaves: two viewers added to this period's count, never renewed.
    await a.counter({ name: 'viewers-gauge', durationSeconds: 2 }).add(`${runId}:${Math.floor(Date.now() / 1000)}`, 2);
    const survivor = sharedGauge(b, { name: 'viewers-gauge', periodSeconds: 1 });
    await eventually(() => survivor.open(runId, 3), 'a first place');
    await eventually(() => survivor.open(runId, 3), "the dead instance's viewers to leave the count");
    expect(await survivor.open(runId, 3)).toBe(true);
    // Three open here, carried from period to period: a fourth never fits.
    for (let i = 0; i < 3; i++) {
      expect(await survivor.open(runId, 3)).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
    for (let i = 0; i < 3; i++) await survivor.close(runId);
  });

  it('sees a budget charged on one instance as used up on the other, with the amount', async () => {
    const [a, b] = two();
    const visitorId = randomUUID();
    const workspace = `ws-${randomUUID()}`;
    expect(await a.budgets.charge({ visitorId, workspace, usd: 1.25 })).toBeNull();
    expect(await b.budgets.exhausted({ visitorId, workspace })).toBeNull();
    expect(await b.budgets.charge({ visitorId, workspace, usd: 0.8 })).toMatchObject({ code: 'rate_limited:budget_visitor' });
    expect(await a.budgets.exhausted({ visitorId, workspace })).toMatchObject({
      code: 'rate_limited:budget_visitor',
      message: expect.stringMatching(/^You have used today's budget \(\$2\.00\)\. It frees up in \d+ (hours|minutes)\.$/),
      retryAfterSeconds: expect.any(Number),
    });
  });
}

describe('on Redis', () => {
  const prefix = `test:limits:${randomUUID()}`;
  let clients: Redis[] = [];
  beforeAll(async () => {
    clients = await Promise.all(
      [0, 1].map(async () => {
        const client = createClient({ url: TEST_REDIS_URL });
        await client.connect();
        return client;
      }),
    );
  });
  afterAll(async () => {
    const [client] = clients;
    const keys: string[] = [];
    for await (const batch of client!.scanIterator({ MATCH: `${prefix}:*`, COUNT: 500 })) keys.push(...batch);
    if (keys.length > 0) await client!.del(keys);
    await Promise.all(clients.map((each) => each.close().catch(() => {})));
  });

  sharedRules(() => [redisStore({ client: clients[0]!, prefix }), redisStore({ client: clients[1]!, prefix })]);

  it('keeps its counts under its own prefix, with an expiry on every key', async () => {
    const [a] = [buildLimits(redisStore({ client: clients[0]!, prefix }), settings)];
    await a.runsPerHour.take('prefix-check');
    const keys: string[] = [];
    for await (const batch of clients[0]!.scanIterator({ MATCH: `${prefix}:runs-per-hour:prefix-check:*` })) keys.push(...batch);
    expect(keys).toHaveLength(1);
    expect(await clients[0]!.pTTL(keys[0]!)).toBeGreaterThan(0);
  });
});

describe('on PostgreSQL (the database store)', () => {
  let scratch: Awaited<ReturnType<typeof scratchPostgres>>;
  const dbs: Db[] = [];
  beforeAll(async () => {
    scratch = await scratchPostgres('tether_limits');
    // Two pools: two servers. The first applies the migrations.
    for (let i = 0; i < 2; i++) dbs.push(await openDb({ kind: 'postgres', url: scratch.url }));
  });
  afterAll(async () => {
    await Promise.all(dbs.map((db) => db.close()));
    await scratch?.release();
  });

  sharedRules(() => [databaseStore({ db: async () => dbs[0]!, prefix: 'limits' }), databaseStore({ db: async () => dbs[1]!, prefix: 'limits' })]);
});

describe('on PGlite (the database store)', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openDb({ kind: 'pglite', dataDir: null });
  });
  afterAll(() => db?.close());

  sharedRules(() => [databaseStore({ db: async () => db, prefix: 'limits' }), databaseStore({ db: async () => db, prefix: 'limits' })]);
});

describe('when the shared store is down', () => {
  it("Redis: answers from this instance's own count instead of failing, and the limit still holds there", async () => {
    const client = createClient({ url: TEST_REDIS_URL });
    await client.connect();
    client.destroy();
    const limits = buildLimits(redisStore({ client, prefix: `test:limits:${randomUUID()}` }), settings);
    const visitorId = randomUUID();
    for (let i = 0; i < 5; i++) expect((await limits.runsPerHour.take(visitorId)).ok).toBe(true);
    expect((await limits.runsPerHour.take(visitorId)).ok).toBe(false);
    expect(await limits.runsAtOnce.take({ visitorId, runId: 'r' })).toBe(true);
    await limits.runsAtOnce.release('r');
  });

  it('the database: the same', async () => {
    const db = await openDb({ kind: 'pglite', dataDir: null });
    await db.close();
    const limits = buildLimits(databaseStore({ db: async () => db, prefix: 'limits' }), settings);
    const visitorId = randomUUID();
    expect(await limits.budgets.charge({ visitorId, workspace: 'demo', usd: 3 })).toMatchObject({ code: 'rate_limited:budget_visitor' });
    expect(await limits.budgets.exhausted({ visitorId, workspace: 'demo' })).toMatchObject({ code: 'rate_limited:budget_visitor' });
  });
});
