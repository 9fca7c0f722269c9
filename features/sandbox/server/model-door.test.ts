import { describe, expect, it } from 'vitest';
import type { BridgeAdmission, BridgeRefusal } from '@/lib/sandbox/model-bridge';
import { ModelDoor, type Spend } from './model-door';
import { cheapestModel, costOf } from './model-prices';

const rules = { models: ['claude-sonnet-4-5', 'claude-haiku-4-5'], maxOutputTokens: 32_000, maxInFlight: 2, free: false, web: { maxConnections: 8, maxBytes: 1 << 20 } };
const usage = { inputTokens: 1000, outputTokens: 500, cacheWrite5mTokens: 200, cacheWrite1hTokens: 100, cacheReadTokens: 4000 };

function ask(
  door: ModelDoor,
  { method = 'POST', path = '/v1/messages', body = { model: 'claude-sonnet-4-5', max_tokens: 32_000 } as unknown }: { method?: string; path?: string; body?: unknown } = {},
) {
  return door.admit({ method, path, body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) }, () => {});
}

function openDoor(spends: Spend[] = []): ModelDoor {
  const door = new ModelDoor(rules);
  door.open({ onSpend: (spend) => spends.push(spend) });
  return door;
}

const refused = (answer: BridgeAdmission | BridgeRefusal) => (answer.ok ? null : { status: answer.status, type: answer.type });

describe('the model door', () => {
  it('lets through only POST /v1/messages and count_tokens; batches, models, files and the rest get 403', () => {
    const door = openDoor();
    expect(ask(door).ok).toBe(true);
    expect(ask(door, { path: '/v1/messages/count_tokens' }).ok).toBe(true);
    for (const [method, path] of [
      ['POST', '/v1/messages/batches'],
      ['GET', '/v1/models'],
      ['GET', '/v1/files'],
      ['DELETE', '/v1/files/file_1'],
      ['GET', '/v1/messages'],
      ['POST', '/v1/complete'],
    ]) {
      expect(refused(ask(door, { method, path }))).toEqual({ status: 403, type: 'permission_error' });
    }
  });

  it('refuses a model the workspace does not offer, and a body that is not a JSON object', () => {
    const door = openDoor();
    expect(refused(ask(door, { body: { model: 'claude-opus-4-1', max_tokens: 10 } }))).toEqual({ status: 403, type: 'permission_error' });
    expect(refused(ask(door, { body: { max_tokens: 10 } }))).toEqual({ status: 403, type: 'permission_error' });
    expect(refused(ask(door, { body: 'not json' }))).toEqual({ status: 400, type: 'invalid_request_error' });
    expect(refused(ask(door, { body: [1] }))).toEqual({ status: 400, type: 'invalid_request_error' });
  });

  it('caps max_tokens, and a thinking budget with it; a body within the cap passes unchanged', () => {
    const door = new ModelDoor({ ...rules, maxOutputTokens: 8000, maxInFlight: 10 });
    door.open({ onSpend: () => {} });
    const within = { model: 'claude-sonnet-4-5', max_tokens: 8000, thinking: { type: 'enabled', budget_tokens: 7999 } };
    const passed = ask(door, { body: within }) as BridgeAdmission;
    expect(passed.body.toString()).toBe(JSON.stringify(within));
    const capped = ask(door, { body: { model: 'claude-sonnet-4-5', max_tokens: 64_000, thinking: { type: 'enabled', budget_tokens: 31_999 } } }) as BridgeAdmission;
    expect(JSON.parse(capped.body.toString())).toEqual({ model: 'claude-sonnet-4-5', max_tokens: 8000, thinking: { type: 'enabled', budget_tokens: 7999 } });
  });

  it('holds at most maxInFlight requests at once, with a 429 and Retry-After past them', () => {
    const door = openDoor();
    const first = ask(door) as BridgeAdmission;
    ask(door);
    const third = ask(door);
    expect(third).toMatchObject({ ok: false, status: 429, type: 'rate_limit_error', retryAfterSeconds: 1 });
    first.done(usage, null);
    expect(ask(door).ok).toBe(true);
  });

  it('is shut before a run and after it, and cuts what is still in flight when the run ends', () => {
    const door = new ModelDoor(rules);
    expect(refused(ask(door))).toEqual({ status: 403, type: 'permission_error' });
    door.open({ onSpend: () => {} });
    let cut = 0;
    door.admit({ method: 'POST', path: '/v1/messages', body: Buffer.from(JSON.stringify({ model: 'claude-haiku-4-5' })) }, () => cut++);
    door.close();
    expect(cut).toBe(1);
    expect(refused(ask(door))).toEqual({ status: 403, type: 'permission_error' });
  });

  it('charges each answer to the run it began in, priced by the table, once; count_tokens is free', () => {
    const spends: Spend[] = [];
    const door = openDoor(spends);
    const answer = ask(door) as BridgeAdmission;
    door.close(); // an answer that ends after its run still counts toward that run
    answer.done(usage, null);
    answer.done(usage, null);
    door.open({ onSpend: (spend) => spends.push(spend) });
    (ask(door, { path: '/v1/messages/count_tokens' }) as BridgeAdmission).done(usage, null);
    expect(spends).toEqual([{ model: 'claude-sonnet-4-5', usd: costOf('claude-sonnet-4-5', usage), usage }]);
    // 1000 × $3 + 500 × $15 + 200 × $3.75 + 100 × $6 + 4000 × $0.30, per million tokens.
    expect(costOf('claude-sonnet-4-5', usage)).toBeCloseTo(0.01305, 10);
  });

  it('meters the demo model at a price of zero, and an unknown model at the highest price', () => {
    const spends: Spend[] = [];
    const door = new ModelDoor({ ...rules, free: true });
    door.open({ onSpend: (spend) => spends.push(spend) });
    (ask(door) as BridgeAdmission).done(usage, null);
    expect(spends[0]).toMatchObject({ usd: 0, usage });
    expect(costOf('claude-next-9', usage)).toBe(costOf('claude-opus-4-1', usage));
    expect(costOf('claude-opus-4-1', usage)).toBeGreaterThan(costOf('claude-sonnet-4-5', usage));
  });

  it("names the cheapest offered model for the CLI's own small tasks", () => {
    expect(cheapestModel(['claude-opus-4-1', 'claude-sonnet-4-5', 'claude-haiku-4-5'])).toBe('claude-haiku-4-5');
    expect(cheapestModel(['claude-opus-4-1', 'claude-sonnet-4-5'])).toBe('claude-sonnet-4-5');
  });

  it('answers 429 for the rest of the run once a budget is used up, and opens afresh for the next run', () => {
    const door = openDoor();
    door.refuse("This workspace has used today's budget ($20.00). It frees up in 3 hours.");
    expect(ask(door)).toMatchObject({ ok: false, status: 429, message: expect.stringContaining("today's budget") });
    door.close();
    door.open({ onSpend: () => {} });
    expect(ask(door).ok).toBe(true);
  });
});
