/**
 * Each fair-use rule on the in-process store, with the clock moved by hand (only `Date` is faked:
 * the library's memory store reads it for every expiry): sliding windows and their Retry-After,
 * runs-at-once slots and their lease, daily budgets and their messages.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dailyBudgets } from './budgets';
import { humanDuration } from './human-duration';
import { runSlots } from './run-slots';
import { sharedGauge } from './shared-gauge';
import { slidingWindow } from './sliding-window';
import { memoryStore } from './store';

// Midnight UTC starts a day's, an hour's and a minute's window: every test knows where it stands.
const HOUR = 3_600_000;
const start = Date.UTC(2026, 0, 5);
const at = (ms: number) => vi.setSystemTime(start + ms);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  at(0);
});
afterEach(() => vi.useRealTimers());

describe('a sliding window', () => {
  it('admits the limit, refuses the next with the time until one frees, and does not count refusals', async () => {
    const window = slidingWindow(memoryStore(), { name: 'w', limit: 3, windowSeconds: 3600 });
    for (let i = 0; i < 3; i++) expect(await window.take('v')).toEqual({ ok: true });
    // All three in the current window: they only start to slide out once it ends, a fraction at a time.
    at(HOUR / 2);
    const refused = await window.take('v');
    expect(refused).toEqual({ ok: false, retryAfterSeconds: 1800 + 1200 });
    expect(await window.take('other')).toEqual({ ok: true });
    // Refusals gave their point back: the same wait is quoted, and the count is still three.
    expect(await window.take('v')).toEqual(refused);
    at(HOUR + 1200 * 1000);
    expect(await window.take('v')).toEqual({ ok: true });
    expect(await window.take('v')).toMatchObject({ ok: false });
  });

  it("weighs the previous window by how much of it still overlaps, so a burst at a window's edge can't double the limit", async () => {
    const window = slidingWindow(memoryStore(), { name: 'w', limit: 4, windowSeconds: 3600 });
    at(HOUR - 1000);
    for (let i = 0; i < 4; i++) expect((await window.take('v')).ok).toBe(true);
    // Just past the edge: a fixed window would admit four more; the sliding one admits none yet.
    at(HOUR + 1000);
    expect(await window.take('v')).toMatchObject({ ok: false });
    // A quarter of the way in, a quarter of the previous four has slid out: one fits.
    at(HOUR + HOUR / 4);
    expect(await window.take('v')).toEqual({ ok: true });
    expect(await window.take('v')).toMatchObject({ ok: false, retryAfterSeconds: 900 });
  });

  it('gives points back to the window that took them, even once the next one has begun', async () => {
    const window = slidingWindow(memoryStore(), { name: 'w', limit: 10, windowSeconds: 3600 });
    at(HOUR - 1000);
    expect(await window.take('v', 10)).toEqual({ ok: true });
    at(HOUR + 1000);
    await window.giveBack('v', 10, start + HOUR - 1000);
    // Given back to the new window instead, the old one's ten would fade while a debt of ten stayed.
    at(HOUR + HOUR / 2);
    expect(await window.check('v', 11)).toMatchObject({ ok: false });
    expect(await window.take('v', 10)).toEqual({ ok: true });
    expect(await window.check('v')).toMatchObject({ ok: false });
  });

  it('checks without counting, and charges past the limit (spend already happened)', async () => {
    const window = slidingWindow(memoryStore(), { name: 'w', limit: 10, windowSeconds: 60 });
    expect(await window.check('v', 10)).toEqual({ ok: true });
    expect(await window.check('v', 11)).toMatchObject({ ok: false });
    expect(await window.charge('v', 9)).toEqual({ ok: true });
    expect(await window.charge('v', 25)).toMatchObject({ ok: false });
    expect(await window.check('v')).toMatchObject({ ok: false });
    // 34 of 10 in this minute: it takes this minute and most of the next before one point fits.
    expect(await window.check('v')).toEqual({ ok: false, retryAfterSeconds: 60 + Math.ceil(60 * (1 - 9 / 34)) });
  });
});

describe('runs at once', () => {
  it("gives each run one of the visitor's slots, refuses past them, and frees a slot when its run ends", async () => {
    const slots = runSlots(memoryStore(), { limit: 2, leaseSeconds: 60 });
    expect(await slots.take({ visitorId: 'v', runId: 'r1' })).toBe(true);
    expect(await slots.take({ visitorId: 'v', runId: 'r2' })).toBe(true);
    expect(await slots.take({ visitorId: 'v', runId: 'r3' })).toBe(false);
    expect(await slots.take({ visitorId: 'w', runId: 'r4' })).toBe(true);
    await slots.release('r1');
    await slots.release('r1'); // twice is harmless
    expect(await slots.take({ visitorId: 'v', runId: 'r5' })).toBe(true);
    expect(await slots.take({ visitorId: 'v', runId: 'r6' })).toBe(false);
    for (const run of ['r2', 'r4', 'r5']) await slots.release(run);
    expect(slots.heldHere()).toBe(0);
  });

  it('frees the slot of a run whose instance stopped renewing it, once the lease runs out', async () => {
    const store = memoryStore();
    const crashed = runSlots(store, { limit: 1, leaseSeconds: 60 });
    const survivor = runSlots(store, { limit: 1, leaseSeconds: 60 });
    expect(await crashed.take({ visitorId: 'v', runId: 'lost' })).toBe(true);
    expect(await survivor.take({ visitorId: 'v', runId: 'next' })).toBe(false);
    // No renewal happens while only Date moves: the lease simply runs out, as after a crash.
    at(61_000);
    expect(await survivor.take({ visitorId: 'v', runId: 'next' })).toBe(true);
    await survivor.release('next');
    await crashed.release('lost');
  });
});

describe('open viewers', () => {
  it("count every instance's, and a dead instance's leave the count when the next period starts", async () => {
    const store = memoryStore();
    const dying = sharedGauge(store, { name: 'viewers', periodSeconds: 60 });
    const survivor = sharedGauge(store, { name: 'viewers', periodSeconds: 60 });
    expect(await dying.open('run', 3)).toBe(true);
    expect(await dying.open('run', 3)).toBe(true);
    expect(await survivor.open('run', 3)).toBe(true);
    expect(await survivor.open('run', 3)).toBe(false);
    expect(survivor.openHere('run')).toBe(1);
    // `dying` makes no more calls (its renewal timer never fires while only Date moves): next period
    // only the survivor's own viewer counts.
    at(60_000);
    expect(await survivor.open('run', 3)).toBe(true);
    expect(await survivor.open('run', 3)).toBe(true);
    expect(await survivor.open('run', 3)).toBe(false);
    // Its own viewers carry over into the period after.
    at(120_000);
    expect(await survivor.open('run', 3)).toBe(false);
    await survivor.close('run');
    expect(await survivor.open('run', 3)).toBe(true);
    for (let i = 0; i < 3; i++) await survivor.close('run');
    expect(survivor.openHere('run')).toBe(0);
    expect(await survivor.open('run', 1)).toBe(true);
  });

  it('takes a refused open back from the period it was counted in when the period turns while it is refused', async () => {
    const store = memoryStore();
    let turnWhileAdding: (() => Promise<unknown>) | undefined;
    const turning: typeof store = {
      ...store,
      counter(input) {
        const counter = store.counter(input);
        return {
          ...counter,
          async add(key, points) {
            const count = await counter.add(key, points);
            const turn = turnWhileAdding;
            turnWhileAdding = undefined;
            await turn?.();
            return count;
          },
        };
      },
    };
    const gauge = sharedGauge(turning, { name: 'viewers', periodSeconds: 60 });
    expect(await gauge.open('run', 1)).toBe(true);
    // The second open is refused, and before the refusal lands the next period starts and a third
    // open counts both of this instance's opens into it.
    turnWhileAdding = async () => {
      at(60_000);
      expect(await gauge.open('run', 5)).toBe(true);
    };
    expect(await gauge.open('run', 1)).toBe(false);
    expect(gauge.openHere('run')).toBe(2);
    // Two are open: the count has exactly two, so a third fits under three and a fourth does not.
    expect(await gauge.open('run', 3)).toBe(true);
    expect(await gauge.open('run', 3)).toBe(false);
  });
});

describe('daily budgets', () => {
  it("refuses once a visitor's spend reaches the budget, with the amount and when it frees up; others go on", async () => {
    const budgets = dailyBudgets(memoryStore(), { visitorUsd: 2, workspaceUsd: 20 });
    expect(await budgets.exhausted({ visitorId: 'v', workspace: 'demo' })).toBeNull();
    expect(await budgets.charge({ visitorId: 'v', workspace: 'demo', usd: 1.5 })).toBeNull();
    // More than was left: it was spent, so it all counts.
    expect(await budgets.charge({ visitorId: 'v', workspace: 'demo', usd: 0.75 })).toMatchObject({ code: 'rate_limited:budget_visitor' });
    at(21 * HOUR);
    const used = await budgets.exhausted({ visitorId: 'v', workspace: 'demo' });
    // $2.25 in today's window: all of it slides out from the day's end on, so 3 h plus what exceeds $2.
    expect(used).toEqual({
      code: 'rate_limited:budget_visitor',
      message: "You have used today's budget ($2.00). It frees up in 6 hours.",
      retryAfterSeconds: 3 * 3600 + Math.ceil(24 * 3600 * (1 - 1.999999 / 2.25)),
    });
    expect(await budgets.exhausted({ visitorId: 'someone else', workspace: 'demo' })).toBeNull();
  });

  it('stops a whole workspace at its budget, naming the workspace', async () => {
    const budgets = dailyBudgets(memoryStore(), { visitorUsd: 2, workspaceUsd: 3 });
    for (const visitorId of ['a', 'b']) await budgets.charge({ visitorId, workspace: 'demo', usd: 1.5 });
    const used = await budgets.exhausted({ visitorId: 'c', workspace: 'demo' });
    expect(used).toMatchObject({ code: 'rate_limited:budget_workspace', message: expect.stringMatching(/^This workspace has used today's budget \(\$3\.00\)\. It frees up in \d+ hours\.$/) });
    expect(await budgets.exhausted({ visitorId: 'c', workspace: 'other' })).toBeNull();
  });

  it('counts zero spend (the demo model) without using anything up, and treats a budget of 0 as off', async () => {
    const budgets = dailyBudgets(memoryStore(), { visitorUsd: 0, workspaceUsd: 1 });
    expect(await budgets.charge({ visitorId: 'v', workspace: 'demo', usd: 0 })).toBeNull();
    expect(await budgets.charge({ visitorId: 'v', workspace: 'other', usd: 500 })).toMatchObject({ code: 'rate_limited:budget_workspace' });
    expect(await budgets.exhausted({ visitorId: 'v', workspace: 'demo' })).toBeNull();
  });
});

describe('human durations', () => {
  it('speaks in seconds, minutes or hours', () => {
    expect([1, 45, 89, 90, 2700, 3600, 5399, 5400, 10_800, 86_400].map(humanDuration)).toEqual([
      '1 second',
      '45 seconds',
      '89 seconds',
      '2 minutes',
      '45 minutes',
      '60 minutes',
      '90 minutes',
      '2 hours',
      '3 hours',
      '24 hours',
    ]);
  });
});
