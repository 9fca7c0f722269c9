import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawnSandboxed } from '@/lib/sandbox/sandboxed-process';
import type { AppServer } from './app-server';
import type { BenchApi } from './fake-api';
import { agentTreeRss } from './procfs';
import { median, mib, ms, ratio } from './stats';
import { sendThroughTether } from './tether-client';

const REPETITIONS = 9;
const START_REPETITIONS = 21;
/** After `end`, before measuring the idle agent and sending the follow-up. */
const PAUSE_MS = 500;

type Target = { server: AppServer; cookie: string };
type Variant = 'sandboxed' | 'unsandboxed';
type Sample = { coldTtftMs: number; warmTtftMs: number; agentRss: number };

/**
 * What the agent sandbox costs: the same conversation (a first message, which starts a CLI, then
 * a follow-up to that warm CLI) on a server whose agents run in bubblewrap and on one without
 * it (TETHER_BWRAP_PATH pointing nowhere on a localhost base domain), alternating.
 */
export async function benchSandboxCost({ api, sandboxed, unsandboxed, log }: { api: BenchApi; sandboxed: Target; unsandboxed: Target; log: (line: string) => void }): Promise<string> {
  const targets: Record<Variant, Target> = { sandboxed, unsandboxed };
  for (const variant of ['sandboxed', 'unsandboxed'] as const) await conversation({ api, target: targets[variant], label: `sandbox ${variant} warm-up` });
  const samples: Record<Variant, Sample[]> = { sandboxed: [], unsandboxed: [] };
  for (let rep = 1; rep <= REPETITIONS; rep++) {
    const order: Variant[] = rep % 2 === 1 ? ['sandboxed', 'unsandboxed'] : ['unsandboxed', 'sandboxed'];
    for (const variant of order) {
      const sample = await conversation({ api, target: targets[variant], label: `sandbox ${variant} #${rep}` });
      samples[variant].push(sample);
      log(`sandbox ${variant} #${rep}: cold first token ${ms(sample.coldTtftMs)}, warm first token ${ms(sample.warmTtftMs)}, agent RSS ${mib(sample.agentRss)}`);
    }
  }
  const row = (label: string, pick: (sample: Sample) => number, format: (value: number) => string) => {
    const inside = median(samples.sandboxed.map(pick));
    const outside = median(samples.unsandboxed.map(pick));
    return `| ${label} | ${format(inside)} | ${format(outside)} | ${format(inside - outside)} | ${ratio(inside / outside)} |`;
  };
  const start = await startCost(log);
  return [
    `| median of ${REPETITIONS} conversations (sandbox start: of ${START_REPETITIONS}) | sandboxed (bubblewrap) | unsandboxed | difference | sandboxed / unsandboxed |`,
    '|---|---:|---:|---:|---:|',
    `| the sandbox alone: spawn → \`/bin/true\` exited (bwrap, cgroup, socat listening) | ${ms(start.sandboxed)} | ${ms(start.direct)} | ${ms(start.sandboxed - start.direct)} | ${ratio(start.sandboxed / start.direct)} |`,
    row('**cold run**: send → first text delta (new CLI)', (s) => s.coldTtftMs, ms),
    row('**warm follow-up**: send → first text delta', (s) => s.warmTtftMs, ms),
    row('memory per agent process (RSS of the CLI and its sandbox, idle)', (s) => s.agentRss, mib),
  ].join('\n');
}

async function conversation({ api, target: { server, cookie }, label }: { api: BenchApi; target: Target; label: string }): Promise<Sample> {
  const conversationId = randomUUID();
  const ttft = async (text: string) => {
    api.streamDeltas(text, { count: 10, delayMs: 0 });
    let firstAt = Number.NaN;
    const { sentAt } = await sendThroughTether({ server, cookie, conversationId, text, onEvent: (event, at) => event.type === 'text' && Number.isNaN(firstAt) && (firstAt = at) });
    return firstAt - sentAt;
  };
  const before = agentTreeRss(server.pid);
  const coldTtftMs = await ttft(`[${label}] first message`);
  await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  // The conversation's CLI waits warm for its follow-up: the one agent that was not there before.
  const started = [...agentTreeRss(server.pid)].filter(([pid]) => !before.has(pid));
  if (started.length !== 1) throw new Error(`${label}: expected one new warm agent, found ${started.length}`);
  const warmTtftMs = await ttft(`[${label}] follow-up`);
  return { coldTtftMs, warmTtftMs, agentRss: started[0]![1] };
}

/**
 * The sandbox's own start, without the CLI's: an agent's sandbox (same mounts, limits, cgroup and
 * bridge forward) running /bin/true, against /bin/true spawned directly; alternating.
 */
async function startCost(log: (line: string) => void): Promise<{ sandboxed: number; direct: number }> {
  const bridge = mkdtempSync(path.join(os.tmpdir(), 'tether-bench-bridge-'));
  const exited = (child: ChildProcess) => new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const sandboxed: number[] = [];
  const direct: number[] = [];
  for (let rep = 0; rep < START_REPETITIONS; rep++) {
    let started = performance.now();
    const { child } = spawnSandboxed({
      bwrapPath: 'bwrap',
      cgroup: { name: `bench-${rep}`, memoryBytes: 2 << 30, maxProcesses: 256 },
      spec: {
        mounts: [{ host: bridge, inside: '/bridge', writable: false }],
        forwards: [{ port: 8080, socket: '/bridge/model.sock' }],
        env: { PATH: '/usr/bin:/bin' },
        cwd: '/',
        limits: { fileSizeBytes: 512 << 20, openFiles: 1024, tmpBytes: 256 << 20 },
        command: ['/bin/true'],
      },
    });
    await exited(child);
    sandboxed.push(performance.now() - started);
    started = performance.now();
    await exited(spawn('/bin/true'));
    direct.push(performance.now() - started);
  }
  log(`sandbox start: ${ms(median(sandboxed))} vs ${ms(median(direct))} direct`);
  return { sandboxed: median(sandboxed), direct: median(direct) };
}
