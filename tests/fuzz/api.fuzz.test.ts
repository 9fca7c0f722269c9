/**
 * "The API never answers 5xx to bad input." Every route handler under app/api, called as Next
 * calls it (and the routes served before Next, over a real socket), with hostile requests (./hostile-requests.ts). For each: never a 5xx; every 4xx is
 * exactly `{ error: { code, message } }`; no 2xx carries the owner's data. Afterwards the owner's
 * conversation from before the fuzz reads back unchanged and a real send still works.
 *
 * The fuzz never uses the owner's cookie, so anything it changes in the owner's state is a bug.
 * Each run explores a fresh seed (named in the suite's title and in a failure's report; replay
 * with FUZZ_SEED=<seed> npx vitest run tests/fuzz), after replaying the failures it found before
 * (./seeds.ts). FUZZ_RUNS=5000 for a long hunt.
 */
import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import type { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMessageSchema } from '@/features/runs';
import { lastUserText, type MessagesApi, type Reply } from '@/lib/messages-api/server';
import { startAgentTestEnv } from '@/tests/fixtures/agent-env';
import { startApiServer, type ApiServer } from '@/tests/fixtures/api-server';
import { bodyText, hostileRequest, safeEncode, toNextRequest, type HostileBody, type HostileRequest } from './hostile-requests';
import type { Known } from './hostile-values';
import { API_DIR, METHODS, nextRoutes, nodeRoutes, routes, type Handler } from './routes';
import { FUZZ_SEED, pastFailures, replayThenExplore } from './seeds';
import { expectWellBehaved } from './well-behaved';

const MODEL = 'claude-sonnet-4-5';
const OWNER_SECRET = `owner-secret-${randomUUID()}`;

type World = { knownId: string; playgroundId: string; ownerEndpoint: string; fuzzDevice: ReturnType<typeof device> };
type Visitor = { cookie: string; visitorId: string; runId: string };

/**
 * Every route.ts under app/api is fuzzed without a line here. A line adds a valid-shaped body (and the headers
 * it needs, such as an upload's file name) for the fuzz to mutate, so it gets past the first checks, and marks bodies it must not send.
 */
const hints: Record<string, { sample?: (world: World) => unknown; headers?: Array<[string, string]>; mustNotSend?: (body: string, request: HostileRequest, world: World) => boolean }> = {
  // A valid send is allowed only to the owner's conversation: it must answer 404, not start a run.
  'conversations/[id]/messages': { sample: () => ({ text: 'hi', model: MODEL, mode: 'plan' }), mustNotSend: (body, { params }, world) => startsRun(body) && params.id !== world.knownId },
  'conversations/[id]/mute': { sample: () => ({ muted: true }) },
  'conversations/[id]': { sample: () => ({ title: 'Renamed' }) },
  'conversations/[id]/branch': { sample: () => ({ keepPrompts: 1 }) },
  'conversations/[id]/attachments': { sample: () => ({ note: 'a text file' }), headers: [['x-attachment-name', 'notes.json']] },
  'runs/[id]/approvals/[approvalId]': { sample: () => ({ decision: 'allow', note: 'ok', scope: 'run', device: 'device-0001' }) },
  'push/subscribe': { sample: (world) => ({ conversationId: world.playgroundId, subscription: world.fuzzDevice, showPreview: true }) },
  'push/unsubscribe': { sample: (world) => ({ conversationId: world.knownId, endpoint: world.ownerEndpoint }) },
};

const dataDir = mkdtempSync(path.join(tmpdir(), 'tether-fuzz-'));
let api: MessagesApi;
let models: string[];
let openConversation: typeof import('@/features/conversations/server').openConversation;
let requireRun: typeof import('@/features/runs/server').requireRun;
const handlers = new Map<string, Array<[string, Handler]>>();
let apiServer: ApiServer;
let world: World;
let owner: Visitor, fuzzer: Visitor;
let ownerView: unknown;
const prototypeKeys = Object.getOwnPropertyNames(Object.prototype);

function script(request: Parameters<typeof lastUserText>[0]): Reply {
  return { blocks: [{ type: 'text', text: lastUserText(request).includes(OWNER_SECRET) ? `Noted: ${OWNER_SECRET}.` : 'Hello.' }] };
}

/** A body the send route would accept: it would start a real agent run, which the fuzz must not. */
function startsRun(body: string): boolean {
  try {
    const parsed = sendMessageSchema.safeParse(JSON.parse(body));
    return parsed.success && models.includes(parsed.data.model);
  } catch {
    return false;
  }
}

function device(endpoint: string) {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { endpoint, expirationTime: null, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') } };
}

/**
 * A request as `toNextRequest` made it, sent to the API server over HTTP. Its framing is the HTTP
 * client's (a hostile Content-Length would only test Node's parser, which Next shares); an upload
 * that breaks off is sent without its body.
 */
async function throughApiServer(method: string, req: NextRequest, route: string, params: Record<string, string | string[]>): Promise<Response> {
  const url = new URL(req.url);
  // The path as the hostile request spelled it: URL parsing resolves an id of "." or ".." away,
  // a raw HTTP client (curl --path-as-is) sends it as it is, and the route must answer it.
  const path = `/api/${route.replace(/\[(\w+)\]/g, (_, name: string) => [params[name]!].flat().map(safeEncode).join('/'))}`;
  const body = method === 'GET' || method === 'HEAD' ? undefined : await req.bytes().catch(() => undefined);
  const headers = Object.fromEntries([...req.headers].filter(([name]) => name !== 'content-length' && name !== 'transfer-encoding'));
  return apiServer.request(`${path}${url.search}`, { method, headers, body });
}

function handler(route: string, method: string): Handler {
  const found = handlers.get(route)?.find(([name]) => name === method)?.[1];
  if (!found) throw new Error(`No ${method} handler in app/api/${route}/route.ts`);
  return found;
}

type Plain = { cookie?: string; params?: Record<string, string>; query?: string; body?: HostileBody };

/** A well-formed request, as the browser sends it. */
function plain(route: string, { cookie, params = {}, query = '', body }: Plain): HostileRequest {
  const headers: Array<[string, string]> = [['host', 'demo.localhost:3000'], ['content-type', 'application/json'], ...(cookie ? [['cookie', cookie] as [string, string]] : [])];
  const url = `http://127.0.0.1:3000/api/${route.replace(/\[(\w+)\]/g, (_, name: string) => params[name]!)}${query}`;
  return { url, params, headers, body, aborted: false };
}

const json = (value: unknown): HostileBody => ({ payload: JSON.stringify(value), delivery: 'whole' });

function call(route: string, method: string, request: Plain = {}) {
  return handler(route, method)(toNextRequest(method, plain(route, request)), { params: Promise.resolve(request.params ?? {}) });
}

/** Sends a message through the real handlers and follows the run's event stream to its end. */
async function send({ cookie, conversationId, text }: { cookie?: string; conversationId: string; text: string }): Promise<Visitor> {
  const response = await call('conversations/[id]/messages', 'POST', { cookie, params: { id: conversationId }, body: json({ text, model: MODEL, mode: 'plan' }) });
  expect(response.status).toBe(202);
  const { run } = (await response.json()) as { run: { id: string } };
  const visitorCookie = cookie ?? response.headers.get('set-cookie')!.split(';')[0]!;
  const events = await (await call('runs/[id]/events', 'GET', { cookie: visitorCookie, params: { id: run.id } })).text();
  expect(events).toContain('"type":"end","status":"completed"');
  const value = visitorCookie.slice(visitorCookie.indexOf('=') + 1);
  return { cookie: visitorCookie, visitorId: value.split('.')[0]!, runId: run.id };
}

const readConversation = async (id: string) => (await call('conversations/[id]', 'GET', { cookie: owner.cookie, params: { id } })).json();

/**
 * The fuzz visitor may delete its own conversation (and with it its run) like any visitor: each
 * route starts with them back, and each case with the conversation, so cases stay independent.
 */
async function restoreFuzzer() {
  try {
    requireRun({ runId: fuzzer.runId, visitorId: fuzzer.visitorId, workspace: 'demo' });
  } catch {
    fuzzer = await send({ cookie: fuzzer.cookie, conversationId: world.playgroundId, text: 'hello again' });
  }
}

beforeAll(async () => {
  api = await startAgentTestEnv({ responder: script, dataDir, env: { PUSH_ALLOWED_HOSTS: '127.0.0.1', LOG_LEVEL: 'error' } });
  (await import('@/features/workspaces/server')).ensureDemoWorkspace();
  models = (await import('@/lib/env')).serverEnv().TETHER_MODELS;
  ({ openConversation } = await import('@/features/conversations/server'));
  ({ requireRun } = await import('@/features/runs/server'));
  for (const route of nextRoutes) {
    const module = (await import(/* @vite-ignore */ path.join(API_DIR, route, 'route.ts'))) as Record<string, unknown>;
    handlers.set(
      route,
      METHODS.filter((name) => typeof module[name] === 'function').map((name) => [name, module[name] as Handler]),
    );
  }
  // Routes served before Next go over a real socket, with every method: those they don't serve
  // must get a JSON 405 (HEAD too, but its answer has no body to check).
  apiServer = await startApiServer();
  for (const route of nodeRoutes)
    handlers.set(
      route,
      METHODS.filter((method) => method !== 'HEAD').map((method) => [method, async (req, context) => throughApiServer(method, req, route, await context.params)]),
    );

  // The owner's state, made through the real handlers: a conversation with one finished run, and a device.
  const knownId = randomUUID();
  owner = await send({ conversationId: knownId, text: `Remember ${OWNER_SECRET}` });
  const ownerDevice = device(`https://127.0.0.1:8443/push/${randomUUID()}`);
  expect((await call('push/subscribe', 'POST', { cookie: owner.cookie, body: json({ conversationId: knownId, subscription: ownerDevice }) })).status).toBe(201);
  ownerView = await readConversation(knownId);
  expect(JSON.stringify(ownerView)).toContain(OWNER_SECRET);

  // The fuzz's own visitor, with a conversation and a run of its own, so ownership checks can pass.
  const playgroundId = randomUUID();
  fuzzer = await send({ conversationId: playgroundId, text: 'hello' });
  world = { knownId, playgroundId, ownerEndpoint: ownerDevice.endpoint, fuzzDevice: device(`https://127.0.0.1:8443/push/${randomUUID()}`) };
});

afterAll(async () => {
  await apiServer.close();
  await (await import('@/features/runs/server')).handOverAllRuns(1000);
  await api.close();
  await (await import('@/lib/db/connection')).closeDb();
});

describe(`every route handler under app/api, fuzzed (FUZZ_SEED=${FUZZ_SEED})`, () => {
  it('keeps past failures only of routes that exist', () => {
    for (const past of pastFailures) expect(routes, `tests/fuzz/seeds.ts: ${past.found}`).toContain(past.route);
  });

  it.each(routes)('%s: no 5xx, every 4xx a { error: { code, message } }', async (route) => {
    const methods = handlers.get(route)!.map(([method]) => method);
    expect(methods.length, `app/api/${route} exports no handler`).toBeGreaterThan(0);
    await restoreFuzzer();
    const hint = hints[route] ?? {};
    const known: Known = {
      ids: [world.knownId, world.playgroundId, owner.runId, fuzzer.runId],
      strings: [world.ownerEndpoint, world.fuzzDevice.endpoint, ...models, 'plan', 'build', 'yolo', 'demo', 'https://169.254.169.254/latest', 'https://u:p@fcm.googleapis.com/x'],
      cookie: fuzzer.cookie.slice(fuzzer.cookie.indexOf('=') + 1),
      impersonate: owner.visitorId,
    };
    const sample = hint.sample?.(world);
    const cases = fc
      .constantFrom(...methods)
      .chain((method) => hostileRequest({ route, known, sample, headers: hint.headers, withBody: !['GET', 'HEAD'].includes(method) }).map((request): [string, HostileRequest] => [method, request]));
    const modelRequests = api.requests.length;
    const property = fc.asyncProperty(cases, async ([method, request]) => {
      fc.pre(!(request.body && hint.mustNotSend?.(bodyText(request.body), request, world)));
      await openConversation({ id: world.playgroundId, visitorId: fuzzer.visitorId, workspace: 'demo', title: 'hello' });
      await expectWellBehaved(await handler(route, method)(toNextRequest(method, request), { params: Promise.resolve(request.params) }), OWNER_SECRET);
    });
    await replayThenExplore(route, property);
    expect(api.requests.length, 'a fuzzed request started an agent run').toBe(modelRequests);
  });

  it('answers 4xx to what the fuzz found before, whatever the seed', async () => {
    const finds: Array<[route: string, method: string, params: Record<string, string>, body: HostileBody]> = [
      // An upload that breaks off: the body stream errors (readJson let it through as a 500).
      ['push/unsubscribe', 'DELETE', {}, { payload: '{"conversationId":', delivery: 'broken-stream' }],
      // NUL, which Postgres text can't hold (500s from the database).
      ['push/unsubscribe', 'DELETE', {}, json({ conversationId: world.knownId, endpoint: `\u0000${world.ownerEndpoint}` })],
      ['push/subscribe', 'POST', {}, json({ conversationId: world.playgroundId, subscription: { ...world.fuzzDevice, endpoint: `\u0000${world.fuzzDevice.endpoint}` } })],
      ['conversations/[id]/messages', 'POST', { id: world.knownId }, json({ text: '\u0000hi', model: MODEL, mode: 'plan' })],
    ];
    for (const [route, method, params, body] of finds) {
      const response = await call(route, method, { cookie: fuzzer.cookie, params, body });
      expect(response.status, `${method} ${route} ${bodyText(body)}`).toBe(400);
      await expectWellBehaved(response, OWNER_SECRET);
    }
  });

  it("leaves the owner's state as it was, and a real send still works", async () => {
    expect(Object.getOwnPropertyNames(Object.prototype)).toEqual(prototypeKeys);
    expect(await readConversation(world.knownId)).toEqual(ownerView);
    const queries = await import('@/features/push/server/queries');
    expect((await queries.pushTargets(world.knownId))!.subscriptions.map((s) => s.endpoint)).toEqual([world.ownerEndpoint]);
    const statuses = await call('conversations/status', 'GET', { cookie: owner.cookie, query: `?ids=${world.knownId}` });
    expect(await statuses.json()).toMatchObject({ statuses: [{ id: world.knownId, lastRunStatus: 'completed' }] });

    await send({ cookie: owner.cookie, conversationId: world.knownId, text: 'And now?' });
    const after = (await readConversation(world.knownId)) as { items: Array<{ kind: string; text?: string }> };
    const turns = after.items.filter((item) => item.kind === 'user' || item.kind === 'assistant').map((item) => [item.kind, item.text]);
    expect(turns.slice(-2)).toEqual([
      ['user', 'And now?'],
      ['assistant', 'Hello.'],
    ]);
  });
});
