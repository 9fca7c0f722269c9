/**
 * Push on run completion and on a waiting approval, end to end (see tests/fixtures/push-run-env.ts for the real parts it drives).
 */
import { describe, expect, it } from 'vitest';
import { conversationWith, push, runs, runToEnd, send, service, setUpPushRunEnv, viewers, visitorId, workspace } from '@/tests/fixtures/push-run-env';

setUpPushRunEnv();

describe('a push when a run finishes', () => {
  it('sends one notice to a device when nobody watched the run complete: VAPID-signed, encrypted, high urgency, bounded TTL, a topic', async () => {
    const device = service.subscribe();
    const conversationId = await conversationWith([device]);
    expect((await runToEnd(conversationId)).status).toBe('completed');

    const [request, ...more] = service.requestsTo(device.endpoint);
    expect(more).toEqual([]);
    expect(request).toMatchObject({ status: 201, vapidProblem: null });
    expect(request!.payload).toEqual({
      title: 'Task is ready',
      body: 'claude-sonnet-4-5 in build mode is done working',
      data: { conversationId, url: `/?c=${conversationId}` },
    });
    expect(request!.headers).toMatchObject({ urgency: 'high', ttl: '3600', topic: conversationId.replace(/-/g, ''), 'content-encoding': 'aes128gcm' });
    expect(request!.jwt!.claims).toMatchObject({ aud: service.origin, sub: 'mailto:tether@example.com' });
    // The subscription was made with the key the API hands browsers.
    expect(request!.headers.authorization).toContain(`k=${push.vapidPublicKey()}`);
  });

  it('adds a one-line preview of the answer for a device that asked for it', async () => {
    const device = service.subscribe();
    await runToEnd(await conversationWith([device], { showPreview: true }));
    expect(service.requestsTo(device.endpoint)[0]!.payload).toMatchObject({ body: 'claude-sonnet-4-5 in build mode is done working\nHello there, friend.' });
  });

  it('fans out to every device of the conversation, signing one VAPID JWT per push-service origin', async () => {
    const devices = [service.subscribe(), service.subscribe(), service.subscribe()];
    const conversationId = await conversationWith(devices);
    const signedBefore = send.pushSender().vapid.signed;
    await runToEnd(conversationId);
    await runToEnd(conversationId);
    const requests = devices.flatMap((device) => service.requestsTo(device.endpoint));
    expect(requests).toHaveLength(6);
    expect(requests.every((request) => request.status === 201 && request.vapidProblem === null)).toBe(true);
    expect(new Set(requests.map((request) => request.headers.authorization)).size).toBe(1);
    expect(send.pushSender().vapid.signed - signedBefore).toBeLessThanOrEqual(1);
    expect(new Set(requests.map((request) => (request.payload as { data: { conversationId: string } }).data.conversationId))).toEqual(new Set([conversationId]));
  });

  it('says so when a run fails', async () => {
    const device = service.subscribe();
    expect((await runToEnd(await conversationWith([device]), 'overloaded')).status).toBe('failed');
    expect(service.requestsTo(device.endpoint)[0]!.payload).toMatchObject({ title: 'Task failed', body: expect.stringContaining('upstream exploded') });
  });

  it('sends nothing for a muted conversation', async () => {
    const device = service.subscribe();
    const conversationId = await conversationWith([device]);
    expect(await push.setMuted({ visitorId, workspace: workspace.name, conversationId, muted: true })).toEqual({ muted: true });
    await runToEnd(conversationId);
    expect(service.requestsTo(device.endpoint)).toEqual([]);

    await push.setMuted({ visitorId, workspace: workspace.name, conversationId, muted: false });
    await runToEnd(conversationId);
    expect(service.requestsTo(device.endpoint)).toHaveLength(1);
  });

  it('sends nothing when a visible tab is attached as the run ends; a hidden one still gets the push', async () => {
    const device = service.subscribe();
    const conversationId = await conversationWith([device]);
    const watch = (visible: boolean) => (runId: string) => {
      const run = runs.requireRun({ runId, visitorId, workspace: workspace.name });
      void viewers.view(run, { visible }).then(({ client }) => client.resume());
    };
    await runToEnd(conversationId, 'hello', { during: watch(true) });
    expect(service.requestsTo(device.endpoint)).toEqual([]);

    await runToEnd(conversationId, 'hello', { during: watch(false) });
    expect(service.requestsTo(device.endpoint)).toHaveLength(1);
  });

  it('a visible tab that left before the end does not hold the push back', async () => {
    const device = service.subscribe();
    const conversationId = await conversationWith([device]);
    await runToEnd(conversationId, 'hello', {
      during: (runId) => {
        const run = runs.requireRun({ runId, visitorId, workspace: workspace.name });
        void viewers.view(run, { visible: true }).then((viewer) => viewer.abort());
      },
    });
    expect(service.requestsTo(device.endpoint)).toHaveLength(1);
  });

  it('sends nothing for a run the user stopped', async () => {
    const device = service.subscribe();
    const conversationId = await conversationWith([device]);
    const end = await runToEnd(conversationId, 'slow please', {
      during: (runId) => {
        const run = runs.requireRun({ runId, visitorId, workspace: workspace.name });
        const unsubscribe = run.subscribe(0, (event) => {
          if (event.type !== 'text') return;
          queueMicrotask(unsubscribe);
          void runs.stopRun(run);
        });
      },
    });
    expect(end.status).toBe('stopped');
    expect(service.requestsTo(device.endpoint)).toEqual([]);
  });
});

describe('a push when a run in ask mode waits for approval', () => {
  /** Runs `text` in ask mode; each approval is answered (allowed) once its push went out, after `whileWaiting`. */
  const answeredAfterPush =
    (whileWaiting: (runId: string) => Promise<void> = async () => {}) =>
    (runId: string) => {
      const run = runs.requireRun({ runId, visitorId, workspace: workspace.name });
      run.subscribe(0, (event) => {
        if (event.type !== 'approval') return;
        void whileWaiting(runId)
          .then(() => send.settlePushes())
          .then(() => run.approvals.decide(event.approvalId, { decision: 'allow', scope: 'once' }));
      });
    };

  it('"Approval needed" goes to every device, under the conversation\'s topic; "Task is ready" follows', async () => {
    const device = service.subscribe();
    const conversationId = await conversationWith([device]);
    expect((await runToEnd(conversationId, 'write a.txt', { mode: 'ask', during: answeredAfterPush() })).status).toBe('completed');
    const [approval, ready, ...more] = service.requestsTo(device.endpoint);
    expect(more).toEqual([]);
    expect(approval!.payload).toEqual({
      title: 'Approval needed',
      body: 'claude-sonnet-4-5 in ask mode is waiting for your approval',
      data: { conversationId, url: `/?c=${conversationId}` },
    });
    // The same topic as "Task is ready": a phone that was offline gets only the newer one.
    expect(approval!.headers).toMatchObject({ urgency: 'high', topic: conversationId.replace(/-/g, '') });
    expect(ready!.payload).toMatchObject({ title: 'Task is ready', body: 'claude-sonnet-4-5 in ask mode is done working' });
  });

  it('says what the agent wants to do on a device that asked for previews', async () => {
    const device = service.subscribe();
    await runToEnd(await conversationWith([device], { showPreview: true }), 'write b.txt', { mode: 'ask', during: answeredAfterPush() });
    expect(service.requestsTo(device.endpoint)[0]!.payload).toMatchObject({ title: 'Approval needed', body: 'claude-sonnet-4-5 in ask mode wants to create b.txt' });
  });

  it('sends nothing while a visible tab shows the card, and nothing for a muted conversation', async () => {
    const device = service.subscribe();
    const conversationId = await conversationWith([device]);
    const watched = answeredAfterPush(async (runId) => {
      const run = runs.requireRun({ runId, visitorId, workspace: workspace.name });
      expect(run.hasVisibleViewer()).toBe(true);
    });
    await runToEnd(conversationId, 'write c.txt', {
      mode: 'ask',
      during: (runId) => {
        void viewers.view(runs.requireRun({ runId, visitorId, workspace: workspace.name }), { visible: true }).then(({ client }) => client.resume());
        watched(runId);
      },
    });
    expect(service.requestsTo(device.endpoint)).toEqual([]);

    await push.setMuted({ visitorId, workspace: workspace.name, conversationId, muted: true });
    await runToEnd(conversationId, 'write d.txt', { mode: 'ask', during: answeredAfterPush() });
    expect(service.requestsTo(device.endpoint)).toEqual([]);
  });
});
