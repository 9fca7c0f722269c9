/**
 * Push on run completion, end to end: the real Agent SDK and CLI against the scripted fake
 * Messages API, the real web-push encryption and VAPID signing, and a test push service on
 * HTTPS 127.0.0.1 (self-signed) that verifies the JWT and decrypts what arrives.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgentTestEnv } from '@/tests/fixtures/agent-env';
import { lastUserText, type MessagesApi, type Reply } from '@/lib/messages-api/server';
import type { RunEvent } from '@/features/runs';
import { startViewerServer } from '@/tests/fixtures/viewer-server';
import { startPushService, type PushService, type TestSubscription } from '@/tests/fixtures/push-service';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-push-'));
let api: MessagesApi;
let service: PushService;
let runs: typeof import('@/features/runs/server/run-manager');
let viewers: Awaited<ReturnType<typeof startViewerServer>>;
let conversations: typeof import('@/features/conversations/server');
let push: typeof import('@/features/push/server');
let send: typeof import('./send');
let queries: typeof import('./queries');
let workspace: import('@/features/workspaces/server').Workspace;

const visitorId = randomUUID();
let agentDir: string;

function script(request: Parameters<typeof lastUserText>[0]): Reply {
  const conversation = JSON.stringify(request.messages);
  const written = /write (\w+\.txt)/.exec(conversation)?.[1];
  if (written) {
    if (!conversation.includes('"tool_result"')) return { blocks: [{ type: 'tool_use', name: 'Write', input: { file_path: path.join(agentDir, written), content: 'new\n' } }] };
    return { blocks: [{ type: 'text', text: 'Written.' }] };
  }
  const prompt = lastUserText(request);
  if (prompt.includes('slow')) return { blocks: [{ type: 'text_chunks', chunks: Array.from({ length: 300 }, (_, i) => `w${i} `) }], delayMs: 20 };
  if (prompt.includes('overloaded')) return { error: { status: 500, type: 'api_error', message: 'upstream exploded' } };
  return { blocks: [{ type: 'text_chunks', chunks: ['Hello', ' there', ', friend.'] }] };
}

beforeAll(async () => {
  api = await startAgentTestEnv({ responder: script, dataDir, env: { PUSH_ALLOWED_HOSTS: '127.0.0.1', LOG_LEVEL: 'error' } });
  service = await startPushService();
  workspace = (await import('@/features/workspaces/server')).createWorkspace({ name: 'alpha', files: { 'notes.txt': 'notes' } });
  agentDir = (await import('@/features/runs/server/agent/agent-sandbox')).agentWorkspaceDir(workspace);
  runs = await import('@/features/runs/server/run-manager');
  viewers = await startViewerServer();
  conversations = await import('@/features/conversations/server');
  push = await import('@/features/push/server');
  send = await import('./send');
  send.sendRunNotices();
  queries = await import('./queries');
  // Trust the self-signed push service; short backoff so retry tests are quick.
  send.configurePushSender({ agent: service.agent, retry: { baseDelayMs: 20 } });
});

afterAll(async () => {
  viewers?.close();
  await send.settlePushes();
  await service?.close();
  await api?.close();
  await (await import('@/lib/db/connection')).closeDb();
});

/** A conversation of ours, with these devices subscribed to it. */
async function conversationWith(devices: TestSubscription[], { showPreview = false } = {}): Promise<string> {
  const id = randomUUID();
  await conversations.openConversation({ id, visitorId, workspace: workspace.name, title: 'push test' });
  for (const subscription of devices) await push.subscribe({ visitorId, device: visitorId, workspace: workspace.name, conversationId: id, subscription, showPreview });
  return id;
}

/** Runs one message to its end, then waits for whatever push it caused to be sent or given up. */
async function runToEnd(conversationId: string, text = 'hello', { during, mode = 'build' }: { during?: (runId: string) => void; mode?: 'build' | 'ask' } = {}) {
  const info = await runs.startRun({ visitorId, workspace, conversationId, text, model: 'claude-sonnet-4-5', mode });
  during?.(info.id);
  const run = runs.requireRun({ runId: info.id, visitorId, workspace: workspace.name });
  const end = await new Promise<Extract<RunEvent, { type: 'end' }>>((resolve) => run.subscribe(0, (event) => event.type === 'end' && resolve(event)));
  await send.settlePushes();
  return end;
}

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
  const answeredAfterPush = (whileWaiting: (runId: string) => Promise<void> = async () => {}) => (runId: string) => {
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
    service.script(device.endpoint, Array.from({ length: 10 }, () => ({ status: 500 })));
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
