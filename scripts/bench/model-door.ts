import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ModelDoor } from '@/features/sandbox/server';
import { startModelBridge } from '@/lib/sandbox/model-bridge';
import type { BenchApi } from './fake-api';
import { median, ms, percentile } from './stats';

/**
 * The model door's cost per request: the same Messages API request sent straight to the
 * scripted API, and through an agent's bridge (Unix socket, token check, the door's checks on
 * a CLI-sized body, forwarding, usage read from the stream on the way back), alternating.
 */

export const modelDoorSetup = { requests: 400, bodyKiB: 120, deltas: 20 };
const MODEL = 'claude-sonnet-4-5';
const TOKEN = 'bench-token';

export async function benchModelDoor({ api, log }: { api: BenchApi; log: (line: string) => void }): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tether-door-bench-'));
  const door = new ModelDoor({ models: [MODEL], maxOutputTokens: 32_000, maxInFlight: 4, free: false, web: { maxConnections: 1, maxBytes: 1 } });
  let spent = 0;
  door.open({ onSpend: ({ usd }) => (spent += usd) });
  const socketPath = path.join(dir, 'model.sock');
  const bridge = startModelBridge({ socketPath, upstream: { baseUrl: api.url, apiKey: 'bench' }, onError: (error) => log(`bridge: ${error.message}`) });
  bridge.doors.set(TOKEN, door);
  const prompt = 'door bench';
  api.streamDeltas(prompt, { count: modelDoorSetup.deltas, delayMs: 0 });
  const body = Buffer.from(JSON.stringify(cliSizedBody(prompt)));
  const apiUrl = new URL(api.url);
  const direct = { host: apiUrl.hostname, port: Number(apiUrl.port) };
  const sides = { direct: { first: [] as number[], done: [] as number[] }, door: { first: [] as number[], done: [] as number[] } };
  try {
    for (let i = 0; i < 20; i++) {
      await send(direct, body); // warm-up
      await send({ socketPath }, body);
    }
    for (let i = 0; i < modelDoorSetup.requests; i++) {
      for (const side of ['direct', 'door'] as const) {
        const timing = await send(side === 'direct' ? direct : { socketPath }, body);
        sides[side].first.push(timing.firstMs);
        sides[side].done.push(timing.doneMs);
      }
    }
  } finally {
    await bridge.close();
    rmSync(dir, { recursive: true, force: true });
  }
  log(`model door: ${modelDoorSetup.requests} requests per side, metered $${spent.toFixed(4)}`);
  const added = (what: 'first' | 'done', p: number) => percentile(sides.door[what], p) - percentile(sides.direct[what], p);
  return [
    '| | direct p50 | direct p99 | through the door p50 | through the door p99 | added p50 | added p99 |',
    '|---|---|---|---|---|---|---|',
    ...(['first', 'done'] as const).map(
      (what) =>
        `| ${what === 'first' ? 'request → first byte of the answer' : 'request → end of the answer'} | ${ms(median(sides.direct[what]))} | ${ms(percentile(sides.direct[what], 99))} | ${ms(median(sides.door[what]))} | ${ms(percentile(sides.door[what], 99))} | ${ms(added(what, 50))} | ${ms(added(what, 99))} |`,
    ),
  ].join('\n');
}

function send(target: Pick<RequestOptions, 'host' | 'port' | 'socketPath'>, body: Buffer): Promise<{ firstMs: number; doneMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let first = Number.NaN;
    const req = httpRequest(
      { ...target, method: 'POST', path: '/v1/messages?beta=true', headers: { 'content-type': 'application/json', 'x-api-key': TOKEN, 'content-length': body.length } },
      (res) => {
        res.once('data', () => (first = performance.now() - started));
        res.on('end', () => resolve({ firstMs: first, doneMs: performance.now() - started }));
        res.resume();
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A body the size of the CLI's: its system prompt and tool schemas make most of it. */
function cliSizedBody(prompt: string) {
  const filler = 'x'.repeat(1000);
  const tools = Array.from({ length: Math.floor(modelDoorSetup.bodyKiB * 0.6) }, (_, i) => ({ name: `Tool${i}`, description: filler, input_schema: { type: 'object' } }));
  const system = [{ type: 'text', text: filler.repeat(Math.floor(modelDoorSetup.bodyKiB * 0.4)) }];
  return { model: MODEL, max_tokens: 32_000, stream: true, system, tools, messages: [{ role: 'user', content: prompt }] };
}
