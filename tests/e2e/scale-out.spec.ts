import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import type { RunEvent } from '@/features/timeline';
import { call, follow, startCluster, visitorCookie } from './support/cluster';
import { log, send, tabConversationId } from './support/chat';

/**
 * Two instances on one PostgreSQL and one Redis, each with a data folder of its own, behind a
 * real round-robin balancer (nginx, no sticky sessions): any instance serves any conversation.
 */
test.describe.configure({ mode: 'serial' });

let cluster: Awaited<ReturnType<typeof startCluster>>;
let cookie: string;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  cluster = await startCluster({ ports: [3221, 3222], balancerPort: 3220 });
  cookie = await visitorCookie(cluster.a.port);
});

test.afterAll(async () => {
  await cluster?.stop();
});

/** Sends a message to one instance; returns the run's id. */
async function sendTo(port: number, conversationId: string, text: string): Promise<string> {
  const answer = await call(port, { method: 'POST', path: `/api/conversations/${conversationId}/messages`, cookie, json: { text, model: 'claude-sonnet-4-5', mode: 'plan' } });
  expect(answer.status, answer.body).toBe(202);
  return (JSON.parse(answer.body) as { run: { id: string } }).run.id;
}

const texts = (events: RunEvent[]) => events.flatMap((event) => (event.type === 'text' ? [event.text] : [])).join('');
const ended = (events: RunEvent[]) => events.at(-1) as Extract<RunEvent, { type: 'end' }>;

test('a run started on A streams live to a viewer on B, every event once and in order; Stop from B stops it', async () => {
  const runId = await sendTo(cluster.a.port, randomUUID(), 'count to 30');
  const [onA, onB] = await Promise.all([follow(cluster.a.port, { runId, cookie }), follow(cluster.b.port, { runId, cookie })]);
  expect(onB.map((event) => event.seq)).toEqual(onB.map((_, index) => index + 1));
  expect(onB).toEqual(onA);
  expect(texts(onB)).toContain('28 29 30');
  expect(ended(onB)).toMatchObject({ type: 'end', status: 'completed' });

  // A late viewer on B with after= gets the rest, from the stream.
  expect(await follow(cluster.b.port, { runId, cookie, after: 5 })).toEqual(onA.slice(5));

  const long = await sendTo(cluster.a.port, randomUUID(), 'count to 300');
  let stopped = false;
  const onBLong = await follow(cluster.b.port, {
    runId: long,
    cookie,
    onEvent: (event) => {
      if (event.type !== 'text' || stopped) return;
      stopped = true;
      void call(cluster.b.port, { method: 'POST', path: `/api/runs/${long}/stop`, cookie });
    },
  });
  expect(ended(onBLong)).toMatchObject({ status: 'stopped' });
});

test('an approval of a run on A, decided from B: the first decision wins, the agent on A goes on', async () => {
  const answer = await call(cluster.a.port, {
    method: 'POST',
    path: `/api/conversations/${randomUUID()}/messages`,
    cookie,
    json: { text: 'write from-b.md', model: 'claude-sonnet-4-5', mode: 'ask' },
  });
  expect(answer.status, answer.body).toBe(202);
  const runId = (JSON.parse(answer.body) as { run: { id: string } }).run.id;
  const seen: RunEvent[] = [];
  let decided: Promise<number[]> | undefined;
  const onB = await follow(cluster.b.port, {
    runId,
    cookie,
    onEvent: (event) => {
      seen.push(event);
      if (event.type !== 'approval') return;
      const decide = async (decision: string) =>
        (await call(cluster.b.port, { method: 'POST', path: `/api/runs/${runId}/approvals/${event.approvalId}`, cookie, json: { decision, device: 'device-on-b' } })).status;
      decided = (async () => {
        const first = await decide('allow');
        // Once B has seen the decision come back from A, a second one is refused there.
        await expect.poll(() => seen.some((item) => item.type === 'approval_decided')).toBe(true);
        return [first, await decide('deny')];
      })();
    },
  });
  const decisions = await decided;
  expect(decisions).toEqual([200, 409]);
  expect(onB.find((event) => event.type === 'approval_decided')).toMatchObject({ decision: 'allow', by: 'visitor', device: 'device-on-b' });
  expect(onB.find((event) => event.type === 'tool_result')).toMatchObject({ status: 'ok' });
  expect(ended(onB)).toMatchObject({ status: 'completed', mode: 'ask' });
});

test('two sends for one conversation at once, one to each instance: one 202, one 409', async () => {
  const conversationId = randomUUID();
  // The conversation exists first (as it does once a browser sent a message).
  await sendTo(cluster.a.port, conversationId, 'hello');
  await expect.poll(async () => JSON.parse((await call(cluster.b.port, { path: `/api/conversations/${conversationId}`, cookie })).body).activeRun, { timeout: 20_000 }).toBeNull();
  const body = { text: 'count to 20', model: 'claude-sonnet-4-5', mode: 'plan' };
  const answers = await Promise.all([cluster.a.port, cluster.b.port].map((port) => call(port, { method: 'POST', path: `/api/conversations/${conversationId}/messages`, cookie, json: body })));
  expect(answers.map((answer) => answer.status).sort()).toEqual([202, 409]);
  expect(JSON.parse(answers.find((answer) => answer.status === 409)!.body)).toMatchObject({ error: { code: 'conflict:run_active' } });
});

test("a visitor's runs at once count on both instances: one on A and one on B fill the share, a third on A answers 429", async () => {
  // A visitor of their own (the default share is 2 runs at once); A alone sees only one of them.
  const visitor = await visitorCookie(cluster.b.port);
  const body = { text: 'count to 300', model: 'claude-sonnet-4-5', mode: 'plan' };
  const post = (port: number) => call(port, { method: 'POST', path: `/api/conversations/${randomUUID()}/messages`, cookie: visitor, json: body });
  const started = [await post(cluster.a.port), await post(cluster.b.port)];
  expect(started.map((answer) => answer.status)).toEqual([202, 202]);
  const third = await post(cluster.a.port);
  expect(third.status, third.body).toBe(429);
  expect(Number(third.retryAfter)).toBeGreaterThan(0);
  expect(JSON.parse(third.body)).toMatchObject({ error: { code: 'rate_limited:runs_at_once' } });
  for (const [answer, port] of [
    [started[0]!, cluster.a.port],
    [started[1]!, cluster.b.port],
  ] as const) {
    const runId = (JSON.parse(answer.body) as { run: { id: string } }).run.id;
    await call(port, { method: 'POST', path: `/api/runs/${runId}/stop`, cookie: visitor });
  }
  // Stopped runs give their slots back: a new send goes through, on either instance.
  await expect.poll(async () => (await post(cluster.a.port)).status, { timeout: 20_000 }).toBe(202);
});

test('in the browser, through the balancer: chat, reload mid-run (another instance), switch, Stop', async ({ page }) => {
  const base = `http://demo.localhost:${cluster.balancerPort}`;
  await page.goto(base);
  await send(page, 'count to 40');
  const answer = log(page).getByTestId('assistant-message').last();
  await expect(answer).toContainText('3 ');
  // Round-robin: the reload's page, history and event stream land on either instance.
  await page.reload();
  await expect(answer).toContainText('38 39 40');
  await expect(log(page).getByTestId('run-end')).toHaveAttribute('data-status', 'completed');
  const words = ((await answer.textContent()) ?? '').trim().split(/\s+/);
  expect(words.filter((word) => /^\d+$/.test(word))).toEqual(Array.from({ length: 40 }, (_, index) => String(index + 1)));
  const first = await tabConversationId(page);

  // Another conversation, then back.
  await page.getByRole('button', { name: 'New chat' }).click();
  await send(page, 'count to 500');
  await expect(log(page).getByTestId('assistant-message').last()).toContainText('2 ');
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(log(page).getByTestId('run-end')).toHaveAttribute('data-status', 'stopped');
  await page.goto(`${base}/?c=${first}`);
  await expect(log(page).getByTestId('user-message')).toHaveText('count to 40');
});

test("restarting A leaves B's running run alone", async () => {
  const runId = await sendTo(cluster.b.port, randomUUID(), 'count to 60');
  const onB = follow(cluster.b.port, { runId, cookie });
  await cluster.restart('a');
  expect(ended(await onB)).toMatchObject({ status: 'completed' });
});

test('a deploy drains A: a send to A gets 503 with Retry-After, the balancer takes it to B, A says draining, and its own run completes first', async () => {
  const runId = await sendTo(cluster.a.port, randomUUID(), 'count to 30');
  let answering!: () => void;
  const begun = new Promise<void>((resolve) => (answering = resolve));
  const onA = follow(cluster.a.port, { runId, cookie, onEvent: (event) => event.type === 'text' && answering() });
  await begun;
  const restarted = cluster.restart('a'); // SIGTERM, then started again once it exited
  try {
    await expect.poll(async () => (await call(cluster.a.port, { path: '/api/health' })).status).toBe(503);
    const message = { method: 'POST', cookie, json: { text: 'hello', model: 'claude-sonnet-4-5', mode: 'plan' } };
    const refused = await call(cluster.a.port, { ...message, path: `/api/conversations/${randomUUID()}/messages` });
    expect([refused.status, refused.retryAfter, JSON.parse(refused.body).error.code]).toEqual([503, '5', 'unavailable:draining']);
    // Two in a row, round-robin: whichever reaches A first is retried on B.
    for (let i = 0; i < 2; i++) {
      const routed = await call(cluster.balancerPort, { ...message, path: `/api/conversations/${randomUUID()}/messages` });
      expect(routed.status, routed.body).toBe(202);
      const routedRun = (JSON.parse(routed.body) as { run: { id: string } }).run.id;
      expect(ended(await follow(cluster.b.port, { runId: routedRun, cookie }))).toMatchObject({ status: 'completed' });
    }
    expect(ended(await onA)).toMatchObject({ status: 'completed' });
    expect(texts(await onA)).toContain('30 ');
  } finally {
    await restarted; // also when a check failed: the cluster's stop must find it
  }
});

test('killing A mid-run: B takes the run over and continues it, its viewers see it complete, and the next message, sent to B, resumes the session', async () => {
  test.setTimeout(90_000);
  const conversationId = randomUUID();
  await follow(cluster.a.port, { runId: await sendTo(cluster.a.port, conversationId, 'remember this first message'), cookie });
  const runId = await sendTo(cluster.a.port, conversationId, 'count to 60');
  let killed = false;
  const onB = await follow(cluster.b.port, {
    runId,
    cookie,
    onEvent: (event) => {
      if (event.type !== 'text' || killed) return;
      killed = true;
      void cluster.kill('a');
    },
  });
  expect(ended(onB)).toMatchObject({ type: 'end', status: 'completed' });
  expect(onB.map((event) => event.seq)).toEqual(onB.map((_, i) => i + 1));
  expect(onB.some((event) => event.type === 'notice' && event.message === 'Continued after a server restart.')).toBe(true);
  expect(texts(onB)).toMatch(/60 $/);
  const [recorded] = JSON.parse((await call(cluster.b.port, { path: `/api/conversations/status?ids=${conversationId}`, cookie })).body).statuses;
  expect(recorded).toMatchObject({ lastRunStatus: 'completed' });

  // B never had this conversation on its disk: the session comes from the database.
  const next = await follow(cluster.b.port, { runId: await sendTo(cluster.b.port, conversationId, 'and now?'), cookie });
  expect(ended(next)).toMatchObject({ status: 'completed' });
  expect(texts(next)).toContain('That is message 3 from you in this session.');
});
