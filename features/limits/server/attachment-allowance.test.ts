/**
 * The daily attachment allowance on the in-process store: counted in KiB (each upload rounded up),
 * refused past it with the time until the upload fits, given back once when the upload is not
 * saved, and off at 0.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { attachmentAllowance } from './attachment-allowance';
import { memoryStore } from './store';

const KIB = 1024;
const start = Date.UTC(2026, 0, 5);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(start);
});
afterEach(() => vi.useRealTimers());

describe('the attachment allowance', () => {
  it("admits uploads up to the day's MiB, refuses the one past it until the day has slid on, and counts each visitor alone", async () => {
    const allowance = attachmentAllowance(memoryStore(), { mbPerDay: 1 });
    expect(await allowance.take({ visitorId: 'v', bytes: 1000 * KIB })).toMatchObject({ ok: true });
    // 23.5 KiB is 24 KiB: the day's 1024 are all used.
    expect(await allowance.take({ visitorId: 'v', bytes: 23.5 * KIB })).toMatchObject({ ok: true });
    const refused = await allowance.take({ visitorId: 'v', bytes: 1 });
    expect(refused).toEqual({ ok: false, retryAfterSeconds: expect.any(Number) });
    // All of it was taken in today's window: it starts to slide out only once tomorrow's begins.
    expect((refused as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(24 * 3600);
    expect(await allowance.take({ visitorId: 'w', bytes: 1024 * KIB })).toMatchObject({ ok: true });
  });

  it('gives an upload back once, however often asked, so a refused save costs nothing', async () => {
    const allowance = attachmentAllowance(memoryStore(), { mbPerDay: 1 });
    expect(await allowance.take({ visitorId: 'v', bytes: 512 * KIB })).toMatchObject({ ok: true });
    const unsaved = await allowance.take({ visitorId: 'v', bytes: 512 * KIB });
    if (!unsaved.ok) throw new Error('the second upload should fit');
    await unsaved.giveBack();
    await unsaved.giveBack();
    expect(await allowance.take({ visitorId: 'v', bytes: 512 * KIB })).toMatchObject({ ok: true });
    expect(await allowance.take({ visitorId: 'v', bytes: 1 })).toMatchObject({ ok: false });
  });

  it('counts nothing at 0 (off)', async () => {
    const allowance = attachmentAllowance(memoryStore(), { mbPerDay: 0 });
    for (let i = 0; i < 3; i++) expect(await allowance.take({ visitorId: 'v', bytes: 1024 * 1024 * KIB })).toMatchObject({ ok: true });
  });
});
