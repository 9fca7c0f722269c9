import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright';
import type { AppServer } from './app-server';
import { launchChromium, visitorContext } from './browser';
import type { BenchApi } from './fake-api';
import { kib, median } from './stats';
import { sendThroughTether } from './tether-client';

/** The workspace page's budget (issue: first-load JavaScript ≤ 200 KB gzipped). */
const BUDGET_BYTES = 200 * 1024;
const LOADS = 3;

// An answer with what the lazy chunks are for: Markdown with a table, and a code block to highlight.
const ANSWER = 'Here it is:\n\n| File | What |\n|---|---|\n| `src/greet.ts` | A greeting |\n\n```ts\nexport function greet(name: string): string {\n  return `Hello, ${name}!`;\n}\n```';

type Weight = { jsBytes: number; scripts: number };

/**
 * The JavaScript a browser downloads for a page, as served (gzip, `next start`'s compression):
 * the sum of encoded body sizes of the .js resources Chromium fetched by network idle. A first
 * visit (an empty conversation) is the page's first load; a conversation with a table and a code
 * block adds the lazy chunks (the Markdown renderer, the highlighter). Next's 404 page (the root
 * layout alone) is the framework's floor. Each a fresh browser context, median of three.
 */
export async function benchPageWeight({ api, server, cookie }: { api: BenchApi; server: AppServer; cookie: string }): Promise<string> {
  const conversationId = randomUUID();
  const prompt = `Show me greet() [weight ${conversationId}]`;
  api.replyText(prompt, ANSWER);
  await sendThroughTether({ server, cookie, conversationId, text: prompt });

  const browser = await launchChromium();
  try {
    const measure = (path: string, options: { conversationId?: string; ready?: string } = {}) => weigh({ browser, server, cookie, path, ...options });
    const floor = await measure('/no-such-page');
    const firstLoad = await measure('/');
    const withAnswer = await measure('/', { conversationId, ready: 'code[data-highlighted="true"]' });
    const row = (label: string, weight: Weight) => `| ${label} | ${kib(weight.jsBytes)} | ${weight.scripts} |`;
    return [
      '| page (median of 3 fresh loads) | JavaScript, gzipped as served | script files |',
      '|---|---:|---:|',
      row("Next's 404 page (the framework's floor)", floor),
      row('**workspace page, first load** (a new conversation)', firstLoad),
      row('… a conversation with a table and a highlighted code block (+ lazy chunks)', withAnswer),
      '',
      `First load: ${kib(firstLoad.jsBytes)} of a ${kib(BUDGET_BYTES)} budget (${((firstLoad.jsBytes / BUDGET_BYTES) * 100).toFixed(0)} %); ${kib(firstLoad.jsBytes - floor.jsBytes)} above the framework's floor. ` +
        `The Markdown renderer and the highlighter add ${kib(withAnswer.jsBytes - firstLoad.jsBytes)}, loaded only when an answer needs them.`,
    ].join('\n');
  } finally {
    await browser.close();
  }
}

async function weigh({
  browser,
  server,
  cookie,
  path,
  conversationId,
  ready,
}: {
  browser: Browser;
  server: AppServer;
  cookie: string;
  path: string;
  conversationId?: string;
  ready?: string;
}): Promise<Weight> {
  const samples: Weight[] = [];
  for (let load = 0; load < LOADS; load++) {
    const context = await visitorContext(browser, cookie, conversationId);
    const page = await context.newPage();
    await page.goto(`http://${server.host}${path}`, { waitUntil: 'networkidle' });
    if (ready) {
      await page.waitForSelector(ready, { timeout: 30_000 });
      await page.waitForLoadState('networkidle');
    }
    samples.push(
      await page.evaluate(() => {
        const scripts = performance.getEntriesByType('resource').filter((entry) => new URL(entry.name).pathname.endsWith('.js')) as PerformanceResourceTiming[];
        return { jsBytes: scripts.reduce((sum, entry) => sum + entry.encodedBodySize, 0), scripts: scripts.length };
      }),
    );
    await context.close();
  }
  return { jsBytes: median(samples.map((sample) => sample.jsBytes)), scripts: median(samples.map((sample) => sample.scripts)) };
}
