import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright';
import type { ChatItem } from '@/features/timeline/chat-items';
import { send, type AppServer } from './app-server';
import type { BenchApi } from './fake-api';
import { median, ms, kib } from './stats';
import { sendThroughTether } from './tether-client';
import { extendTranscript, findTranscript } from './transcript';

const TURNS = 200;
const API_REQUESTS = 10;
const PAGE_LOADS = 5;

// A typical short answer: a paragraph, a list and some code, so the Markdown renderer has work.
const reply = (turn: number) =>
  `Turn ${turn}: I read the files you mentioned. The greeting lives in \`src/greet.ts\` and is exported as a named function.\n\n` +
  `- **What it does:** builds a greeting from a name.\n- **Where it is used:** nowhere yet; the README only describes it.\n- **Suggestion:** add a test next to it.\n\n` +
  '```ts\nexport function greet(name: string): string {\n  return `Hello, ${name}!`;\n}\n```\n\nWant me to add the test in build mode?';
const prompt = (turn: number) => `Question ${turn}: what does greet() do and where is it used?`;
// A turn that works as a real agent's does: it thinks, reads a file, then answers.
const thought = (turn: number) => `Turn ${turn}: the question is about greet(). I should read the README first to see how it is described, then answer with where it lives.`;
const work = (turn: number) => ({ thinking: thought(turn), tool: { name: 'Read', input: { file_path: '/workspace/README.md' } }, text: reply(turn) });

type Conversation = { label: string; id: string; turns: number; transcriptBytes: number };

export async function benchHistoryLoad({ api, server, cookie, dataDir, log }: { api: BenchApi; server: AppServer; cookie: string; dataDir: string; log: (line: string) => void }): Promise<string> {
  // Two real turns each through Tether (the CLI writes the transcript); the large one then grows to 200.
  const small = await realConversation({ api, server, cookie, label: 'small' });
  const large = await realConversation({ api, server, cookie, label: 'large' });
  const working = await realConversation({ api, server, cookie, label: 'working', works: true });
  // Each conversation's CLI keeps its transcript in that conversation's own config folder.
  const claudeDir = (conversationId: string) => path.join(dataDir, 'agents', conversationId, '.claude');
  const largeFile = findTranscript(claudeDir(large), `${prompt(2)} [large]`);
  extendTranscript({ file: largeFile, lastPrompt: `${prompt(2)} [large]`, lastReply: reply(2), turns: TURNS, promptFor: prompt, replyFor: reply });
  const workingFile = findTranscript(claudeDir(working), `${prompt(2)} [working]`);
  extendTranscript({ file: workingFile, lastPrompt: `${prompt(2)} [working]`, lastReply: reply(2), turns: TURNS, promptFor: prompt, replyFor: reply });
  const conversations: Conversation[] = [
    { label: '2 turns', id: small, turns: 2, transcriptBytes: statSync(findTranscript(claudeDir(small), `${prompt(2)} [small]`)).size },
    { label: `${TURNS} turns`, id: large, turns: TURNS, transcriptBytes: statSync(largeFile).size },
    { label: `${TURNS} turns, each thinking and reading a file`, id: working, turns: TURNS, transcriptBytes: statSync(workingFile).size },
  ];

  const apiSamples = await measureApi({ server, cookie, conversations, log });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  let render;
  try {
    render = await measurePages({ browser, server, cookie, conversations, log });
  } finally {
    await browser.close();
  }
  const resume = await resumeLarge({ api, server, cookie, id: large });
  return `${table(conversations, apiSamples, render)}\n\n${resume}`;
}

/** Proves the grown transcript is one the CLI accepts: a real 201st turn resumes it and sends the model all 200 earlier prompts. */
async function resumeLarge({ api, server, cookie, id }: { api: BenchApi; server: AppServer; cookie: string; id: string }): Promise<string> {
  const text = `${prompt(TURNS + 1)} [large]`;
  api.replyText(text, reply(TURNS + 1));
  const { sentAt, endAt } = await sendThroughTether({ server, cookie, conversationId: id, text });
  const request = api.requests.findLast((body) => JSON.stringify(body.messages).includes(JSON.stringify(text).slice(1, -1)));
  const sent = JSON.stringify(request?.messages ?? []);
  const seen = Array.from({ length: TURNS }, (_, i) => prompt(i + 1)).filter((earlier) => sent.includes(earlier)).length;
  if (seen !== TURNS) throw new Error(`resuming the ${TURNS}-turn session sent ${seen} of ${TURNS} earlier prompts to the model`);
  return `Check: a real turn ${TURNS + 1} resumes the grown session (the CLI sends all earlier prompts to the model); send → \`end\` took ${ms(endAt - sentAt)} (one run).`;
}

async function realConversation({ api, server, cookie, label, works = false }: { api: BenchApi; server: AppServer; cookie: string; label: string; works?: boolean }): Promise<string> {
  const id = randomUUID();
  for (const turn of [1, 2]) {
    const text = `${prompt(turn)} [${label}]`;
    if (works) api.replyWithWork(text, work(turn));
    else api.replyText(text, reply(turn));
    await sendThroughTether({ server, cookie, conversationId: id, text });
  }
  return id;
}

type ApiSample = { ttfbMs: number; totalMs: number; bytes: number };

async function measureApi({ server, cookie, conversations, log }: { server: AppServer; cookie: string; conversations: Conversation[]; log: (line: string) => void }) {
  const samples = new Map<string, ApiSample[]>(conversations.map((c) => [c.id, []]));
  for (let rep = 0; rep <= API_REQUESTS; rep++) {
    for (const conversation of conversations) {
      const response = await send(server, { path: `/api/conversations/${conversation.id}`, cookie });
      if (response.status !== 200) throw new Error(`GET conversation ${conversation.label}: ${response.status} ${response.body.slice(0, 200)}`);
      const items = (JSON.parse(response.body) as { items: ChatItem[] }).items;
      const messages = items.filter((item) => item.kind === 'user' || item.kind === 'assistant').length;
      if (messages !== conversation.turns * 2) throw new Error(`${conversation.label}: history has ${messages} messages, expected ${conversation.turns * 2}`);
      // Request 0 is a warm-up (first read of the file, JIT): not counted.
      if (rep > 0) samples.get(conversation.id)!.push({ ttfbMs: response.ttfbMs, totalMs: response.totalMs, bytes: response.bytes });
    }
  }
  for (const conversation of conversations) log(`history API ${conversation.label}: total ${ms(median(samples.get(conversation.id)!.map((s) => s.totalMs)))}`);
  return samples;
}

type PageSample = { apiStartMs: number; apiDoneMs: number; domMs: number; paintMs: number };

/**
 * Each load runs this before the page's own scripts: it points the tab at the conversation
 * (what a reload keeps in sessionStorage) and notes, relative to navigation start, when the
 * expected number of messages is in the DOM and when the frame after that is drawn.
 */
function pageProbe({ conversationId, messages }: { conversationId: string; messages: number }) {
  sessionStorage.setItem('tether-tab-conversation:demo', conversationId);
  const probe: { domMs?: number; paintMs?: number } = {};
  (window as unknown as { benchProbe: typeof probe }).benchProbe = probe;
  const observer = new MutationObserver(() => {
    if (document.querySelectorAll('[data-testid="user-message"], [data-testid="assistant-message"]').length < messages) return;
    observer.disconnect();
    probe.domMs = performance.now();
    requestAnimationFrame(() => setTimeout(() => (probe.paintMs = performance.now())));
  });
  observer.observe(document, { childList: true, subtree: true });
}

async function measurePages({ browser, server, cookie, conversations, log }: { browser: Browser; server: AppServer; cookie: string; conversations: Conversation[]; log: (line: string) => void }) {
  const samples = new Map<string, PageSample[]>(conversations.map((c) => [c.id, []]));
  const pages = await Promise.all(
    conversations.map(async (conversation) => {
      const context = await browser.newContext();
      const [name, value] = cookie.split('=') as [string, string];
      await context.addCookies([{ name, value, domain: 'demo.localhost', path: '/', httpOnly: true, sameSite: 'Lax' }]);
      await context.addInitScript(pageProbe, { conversationId: conversation.id, messages: conversation.turns * 2 });
      return { conversation, page: await context.newPage() };
    }),
  );
  // Load 0 is the first visit (cold HTTP cache and JIT): not counted; loads 1… are reloads.
  for (let load = 0; load <= PAGE_LOADS; load++) {
    for (const { conversation, page } of pages) {
      if (load === 0) await page.goto(`http://${server.host}/`);
      else await page.reload();
      await page.waitForFunction(() => (window as unknown as { benchProbe: { paintMs?: number } }).benchProbe.paintMs !== undefined, undefined, { timeout: 30_000 });
      const sample = await page.evaluate(() => {
        const { domMs, paintMs } = (window as unknown as { benchProbe: { domMs: number; paintMs: number } }).benchProbe;
        const api = performance.getEntriesByType('resource').find((entry) => entry.name.includes('/api/conversations/')) as PerformanceResourceTiming;
        return { apiStartMs: api.startTime, apiDoneMs: api.responseEnd, domMs, paintMs };
      });
      if (load > 0) samples.get(conversation.id)!.push(sample);
    }
  }
  await Promise.all(pages.map(({ page }) => page.context().close()));
  for (const conversation of conversations) log(`history page ${conversation.label}: messages in DOM ${ms(median(samples.get(conversation.id)!.map((s) => s.domMs)))}`);
  return samples;
}

function table(conversations: Conversation[], api: Map<string, ApiSample[]>, pages: Map<string, PageSample[]>): string {
  const cell = <T>(samples: Map<string, T[]>, pick: (sample: T) => number, format: (value: number) => string = ms) =>
    conversations.map((c) => format(median(samples.get(c.id)!.map(pick)))).join(' | ');
  return [
    `| median | ${conversations.map((c) => `${c.label} (${c.turns * 2} messages)`).join(' | ')} |`,
    `|---|${conversations.map(() => '---:').join('|')}|`,
    `| transcript JSONL size | ${conversations.map((c) => kib(c.transcriptBytes)).join(' | ')} |`,
    `| \`GET /api/conversations/:id\` response size | ${cell(api, (s) => s.bytes, kib)} |`,
    `| … time to first byte (${API_REQUESTS} requests) | ${cell(api, (s) => s.ttfbMs)} |`,
    `| … time to last byte | ${cell(api, (s) => s.totalMs)} |`,
    `| reload in Chromium (${PAGE_LOADS} reloads): navigation → history requested (page booted) | ${cell(pages, (s) => s.apiStartMs)} |`,
    `| … navigation → history response received | ${cell(pages, (s) => s.apiDoneMs)} |`,
    `| … navigation → all messages in the DOM | ${cell(pages, (s) => s.domMs)} |`,
    `| … navigation → next frame after that | ${cell(pages, (s) => s.paintMs)} |`,
    `| … history response → all messages in the DOM (client render) | ${cell(pages, (s) => s.domMs - s.apiDoneMs)} |`,
  ].join('\n');
}
