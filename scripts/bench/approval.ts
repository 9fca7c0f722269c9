import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { AgentMode } from '@/features/runs/types';
import { send, type AppServer } from './app-server';
import type { BenchApi } from './fake-api';
import { median, ms, ratio } from './stats';
import { postMessage, readEvents } from './tether-client';

const REPETITIONS = 7;

type AskSample = { answeredMs: number; decidedMs: number; resumedMs: number };
type BuildSample = { resumedMs: number };

/**
 * Decision → agent resumes, in ask mode: the scripted model asks for a Write; when the `approval`
 * event arrives the client POSTs "allow" and times the answer, the `approval_decided` event and
 * the tool's result (the agent ran it: it resumed). Alternated with the same Write in build mode,
 * where nothing waits: from the tool card to its result.
 */
export async function benchApproval({ api, server, cookie, log }: { api: BenchApi; server: AppServer; cookie: string; log: (line: string) => void }): Promise<string> {
  const ask: AskSample[] = [];
  const build: BuildSample[] = [];
  // One untimed run of each first (a new conversation's CLI start, JIT).
  await writeOnce({ api, server, cookie, mode: 'ask', label: 'warm-up ask' });
  await writeOnce({ api, server, cookie, mode: 'build', label: 'warm-up build' });
  for (let rep = 1; rep <= REPETITIONS; rep++) {
    for (const mode of rep % 2 === 1 ? (['ask', 'build'] as const) : (['build', 'ask'] as const)) {
      const sample = await writeOnce({ api, server, cookie, mode, label: `${mode} #${rep}` });
      if ('decidedMs' in sample) ask.push(sample);
      else build.push(sample);
      log(
        `approval ${mode} #${rep}: ${'decidedMs' in sample ? `POST → 200 ${ms(sample.answeredMs)}, → decided event ${ms(sample.decidedMs)}, → tool result ${ms(sample.resumedMs)}` : `tool card → tool result ${ms(sample.resumedMs)}`}`,
      );
    }
  }
  const resumed = median(ask.map((sample) => sample.resumedMs));
  const unasked = median(build.map((sample) => sample.resumedMs));
  return [
    `| median of ${REPETITIONS} | ask mode (from the decision's POST) | build mode (from the tool card) | ask / build |`,
    '|---|---:|---:|---:|',
    `| → \`200\` for the decision | ${ms(median(ask.map((sample) => sample.answeredMs)))} |  |  |`,
    `| → \`approval_decided\` on the run's stream | ${ms(median(ask.map((sample) => sample.decidedMs)))} |  |  |`,
    `| **→ the tool's result on the stream (the agent resumed and ran it)** | ${ms(resumed)} | ${ms(unasked)} | ${ratio(resumed / unasked)} |`,
  ].join('\n');
}

async function writeOnce({ api, server, cookie, mode, label }: { api: BenchApi; server: AppServer; cookie: string; mode: AgentMode; label: string }): Promise<AskSample | BuildSample> {
  const prompt = `[approval ${label}] write a file`;
  api.replyToolUse(prompt, 'Write', { file_path: `bench-${randomUUID()}.txt`, content: 'bench\n' });
  const { runId } = await postMessage({ server, cookie, conversationId: randomUUID(), text: prompt, mode });
  let toolAt = 0;
  let postedAt = 0;
  let answeredMs = Number.NaN;
  let decidedAt = 0;
  let resultAt = 0;
  const { end } = await readEvents({ server, cookie, path: `/api/runs/${runId}/events?after=0` }, (event, receivedAt) => {
    if (event.type === 'tool') toolAt = receivedAt;
    if (event.type === 'approval_decided') decidedAt = receivedAt;
    if (event.type === 'tool_result') resultAt = receivedAt;
    if (event.type !== 'approval') return;
    postedAt = performance.now();
    void send(server, { method: 'POST', path: `/api/runs/${runId}/approvals/${event.approvalId}`, cookie, json: { decision: 'allow' } }).then((answer) => {
      if (answer.status !== 200) throw new Error(`decision answered ${answer.status}: ${answer.body}`);
      answeredMs = answer.totalMs;
    });
  });
  if (end.status !== 'completed' || resultAt === 0) throw new Error(`${label}: run ended ${end.status} (tool result seen: ${resultAt > 0})`);
  if (mode === 'build') return { resumedMs: resultAt - toolAt };
  if (postedAt === 0) throw new Error(`${label}: no approval was asked for`);
  return { answeredMs, decidedMs: decidedAt - postedAt, resumedMs: resultAt - postedAt };
}
