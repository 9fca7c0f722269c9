/**
 * What push does with the push service's answers, and with subscribing and unsubscribing, end to end (see tests/fixtures/push-run-env.ts for the real parts it drives).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { conversationWith, push, queries, runToEnd, service, setUpPushRunEnv, visitorId, workspace } from '@/tests/fixtures/push-run-env';

setUpPushRunEnv();

describe('push service answers', () => {
  it.each([404, 410])('%i: the subscription is deleted, from every conversation it followed', async (status) => {
    const [dead, alive] = [service.subscribe(), service.subscribe()];
    const conversationId = await conversationWith([dead, alive]);
    const other = await conversationWith([dead]);
    service.script(dead.endpoint, [{ status }]);
    expect((await runToEnd(conversationId)).status).toBe('completed');

    expect(service.requestsTo(dead.endpoint).map((request) => request.status)).toEqual([status]);
    expect((await queries.pushTargets(conversationId))!.subscriptions.map((s) => s.endpoint)).toEqual([alive.endpoint]);
    expect((await queries.pushTargets(other))!.subscriptions).toEqual([]);
  });

  it('429 with Retry-After: tried again once that time has passed', async () => {
    const device = service.subscribe();
    service.script(device.endpoint, [{ status: 429, retryAfter: '1' }]);
    await runToEnd(await conversationWith([device]));
    const [first, second, ...rest] = service.requestsTo(device.endpoint);
    expect([first!.status, second!.status, rest]).toEqual([429, 201, []]);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
    expect(second!.payload).toEqual(first!.payload);
  });

  it('500 every time: retried a few times, then given up; the run is still completed and the subscription kept', async () => {
    const device = service.subscribe();
    service.script(
      device.endpoint,
      Array.from({ length: 10 }, () => ({ status: 500 })),
    );
    const conversationId = await conversationWith([device]);
    expect((await runToEnd(conversationId)).status).toBe('completed');
    expect(service.requestsTo(device.endpoint).map((request) => request.status)).toEqual([500, 500, 500, 500]);
    expect((await queries.pushTargets(conversationId))!.subscriptions).toHaveLength(1);
  });

  it('a 500 then a 201: delivered on the retry', async () => {
    const device = service.subscribe();
    service.script(device.endpoint, [{ status: 500 }]);
    await runToEnd(await conversationWith([device]));
    expect(service.requestsTo(device.endpoint).map((request) => request.status)).toEqual([500, 201]);
  });
});

describe('subscriptions', () => {
  it("someone else's conversation is not found, for subscribing, unsubscribing and muting", async () => {
    const conversationId = await conversationWith([]);
    const stranger = { visitorId: randomUUID(), workspace: workspace.name };
    const notFound = { code: 'not_found:conversation', status: 404 };
    await expect(push.subscribe({ ...stranger, device: stranger.visitorId, conversationId, subscription: service.subscribe(), showPreview: false })).rejects.toMatchObject(notFound);
    await expect(push.unsubscribe({ ...stranger, conversationId, endpoint: 'https://127.0.0.1/x' })).rejects.toMatchObject(notFound);
    await expect(push.setMuted({ ...stranger, conversationId, muted: true })).rejects.toMatchObject(notFound);
  });

  it('unsubscribing stops the pushes, and is idempotent', async () => {
    const device = service.subscribe();
    const conversationId = await conversationWith([device]);
    await push.unsubscribe({ visitorId, workspace: workspace.name, conversationId, endpoint: device.endpoint });
    await push.unsubscribe({ visitorId, workspace: workspace.name, conversationId, endpoint: device.endpoint });
    await runToEnd(conversationId);
    expect(service.requestsTo(device.endpoint)).toEqual([]);
  });
});
