import { expect, test, type Page, type Request } from '@playwright/test';
import { log, send, tabConversationId } from './support/chat';

/**
 * A run belongs to the server, not to the tab watching it. Whatever the viewer does mid-stream —
 * switch conversation, reload, close the browser, open a second tab — coming back shows every
 * event exactly once, in order. The demo model's "count to N" streams one number per 100 ms, so
 * the final answer is known exactly: "1 2 3 … N", and a missing or doubled event shows as a gap
 * or a repeat in it.
 */

const recent = (page: Page) => page.getByRole('navigation', { name: 'Recent conversations' });
const answer = (page: Page) => log(page).getByTestId('assistant-message');

/** "1 2 3 … n", as the answer reads once whitespace is normalized. */
const countedTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1).join(' ');
/** A number as a whole word: "5" but not the 5 in "15". */
const word = (n: number) => new RegExp(`(^|\\s)${n}(\\s|$)`);

/** The conversation shows the prompt once, the whole count once, and one run outcome. */
async function expectCompleteCount(page: Page, n: number, status = 'completed') {
  await expect(log(page).getByTestId('run-end')).toHaveCount(1, { timeout: 60_000 });
  await expect(log(page).getByTestId('run-end')).toHaveAttribute('data-status', status);
  await expect(log(page).getByTestId('user-message')).toHaveCount(1);
  await expect(log(page).getByTestId('user-message')).toHaveText(`count to ${n}`);
  await expect(answer(page)).toHaveCount(1);
  await expect(answer(page)).toHaveText(countedTo(n));
}

/** The numbers shown so far: a gap-free 1..k with no repeats, or the test fails. */
async function expectGapFreePrefix(page: Page): Promise<number> {
  const words = ((await answer(page).textContent()) ?? '').trim().split(/\s+/).filter(Boolean);
  expect(words).toEqual(Array.from({ length: words.length }, (_, i) => String(i + 1)));
  return words.length;
}

/** `GET /api/conversations/<id>` (the history fetch): counted per conversation, with how many ran at once. */
function watchHistoryFetches(page: Page) {
  const started = new Map<string, number>();
  const inFlight = new Map<string, number>();
  const maxInFlight = new Map<string, number>();
  // The views' loads: not the copy saved for offline once a run ends (features/conversations/offline-copies.ts).
  const idOf = (request: Request) =>
    request.method() === 'GET' && !request.headers()['x-tether-offline-copy'] ? new URL(request.url()).pathname.match(/^\/api\/conversations\/([0-9a-f-]{36})$/)?.[1] : undefined;
  page.on('request', (request) => {
    const id = idOf(request);
    if (!id) return;
    started.set(id, (started.get(id) ?? 0) + 1);
    inFlight.set(id, (inFlight.get(id) ?? 0) + 1);
    maxInFlight.set(id, Math.max(maxInFlight.get(id) ?? 0, inFlight.get(id)!));
  });
  const done = (request: Request) => {
    const id = idOf(request);
    if (id) inFlight.set(id, (inFlight.get(id) ?? 1) - 1);
  };
  page.on('requestfinished', done);
  page.on('requestfailed', done);
  return {
    count: (id: string) => started.get(id) ?? 0,
    total: () => [...started.values()].reduce((sum, value) => sum + value, 0),
    maxInFlight: (id: string) => maxInFlight.get(id) ?? 0,
  };
}

/** Two conversations in one tab: a finished one, then one counting to `n` (still streaming). */
async function quietAndCounting(page: Page, n: number) {
  await page.goto('/');
  await send(page, 'hello from the quiet one');
  await expect(log(page).getByTestId('run-end')).toHaveCount(1);
  const quiet = await tabConversationId(page);
  await page.getByRole('button', { name: 'New chat' }).click();
  await expect(log(page).getByTestId('user-message')).toHaveCount(0);
  await send(page, `count to ${n}`);
  await expect(answer(page)).toContainText(word(3));
  return { quiet, counting: await tabConversationId(page) };
}

test('switching conversation mid-stream and coming back: the live text continues, nothing missing or doubled', async ({ page }) => {
  await page.goto('/');
  await send(page, 'count to 80');
  await expect(answer(page)).toContainText(word(5));

  await page.getByRole('button', { name: 'New chat' }).click();
  await expect(log(page).getByTestId('user-message')).toHaveCount(0);
  await expect(log(page)).toContainText('a Claude agent works on its files with you');

  await recent(page)
    .getByRole('button', { name: /count to 80/ })
    .click();
  await expect(log(page).getByTestId('user-message')).toHaveText('count to 80');
  await expectCompleteCount(page, 80);
});

test('reloading mid-stream: the live text continues, nothing missing or doubled', async ({ page }) => {
  await page.goto('/');
  await send(page, 'count to 80');
  await expect(answer(page)).toContainText(word(5));

  await page.reload();
  await expect(log(page).getByTestId('user-message')).toHaveText('count to 80');
  await expectCompleteCount(page, 80);
});

test('closing the browser mid-stream: reopened after the run finished, the complete answer is there', async ({ browser }) => {
  const first = await browser.newContext();
  const page = await first.newPage();
  await page.goto('/');
  await send(page, 'count to 40');
  await expect(answer(page)).toContainText(word(5));
  const conversationId = await tabConversationId(page);
  const state = await first.storageState();
  await first.close();

  const second = await browser.newContext({ storageState: state });
  const again = await second.newPage();
  // Wait for the run to finish on the server, asking from a page that does not open the chat.
  await again.goto('/api/health');
  await expect
    .poll(
      () =>
        again.evaluate(async (id) => {
          const response = await fetch(`/api/conversations/${id}`);
          const body = (await response.json()) as { activeRun: unknown };
          return response.ok && body.activeRun === null;
        }, conversationId),
      { timeout: 60_000 },
    )
    .toBe(true);

  await again.goto('/');
  await expectCompleteCount(again, 40);
  expect(await tabConversationId(again)).toBe(conversationId);
  await second.close();
});

test('rapid switching between two conversations 20 times: no duplicate events, one history fetch per switch', async ({ page }) => {
  test.setTimeout(180_000);
  const { quiet, counting } = await quietAndCounting(page, 150);

  const fetches = watchHistoryFetches(page);
  for (let i = 1; i <= 20; i++) {
    const [name, prompt] = i % 2 === 1 ? [/hello from the quiet one/, 'hello from the quiet one'] : [/count to 150/, 'count to 150'];
    const entry = recent(page).getByRole('button', { name });
    await entry.click();
    await expect(entry).toHaveAttribute('aria-current', 'true');
    // Each switch lands on its conversation, with the prompt shown once.
    await expect(log(page).getByTestId('user-message')).toHaveText(prompt);
  }

  // The 20th switch came back to the counting conversation: it ends with every number once.
  await expectCompleteCount(page, 150);
  expect(fetches.count(quiet)).toBe(10);
  expect(fetches.count(counting)).toBe(10);
  expect(fetches.total()).toBe(20);
  expect(fetches.maxInFlight(quiet)).toBe(1);
  expect(fetches.maxInFlight(counting)).toBe(1);
});

test('switching 20 times without waiting for each load: never two history fetches of one conversation at once, no duplicate events', async ({ page }) => {
  test.setTimeout(180_000);
  const { quiet, counting } = await quietAndCounting(page, 100);

  const fetches = watchHistoryFetches(page);
  for (let i = 1; i <= 20; i++) {
    await recent(page)
      .getByRole('button', { name: i % 2 === 1 ? /hello from the quiet one/ : /count to 100/ })
      .click();
  }

  await expect(recent(page).getByRole('button', { name: /count to 100/ })).toHaveAttribute('aria-current', 'true');
  await expectCompleteCount(page, 100);
  // At most one load per switch, and a conversation is never loaded twice at the same time.
  expect(fetches.total()).toBeLessThanOrEqual(20);
  expect(fetches.count(counting)).toBeGreaterThanOrEqual(1);
  expect(fetches.maxInFlight(quiet)).toBeLessThanOrEqual(1);
  expect(fetches.maxInFlight(counting)).toBeLessThanOrEqual(1);
});

test('Stop after a reload stops the run and keeps the partial answer', async ({ page }) => {
  await page.goto('/');
  await send(page, 'count to 300');
  await expect(answer(page)).toContainText(word(5));

  await page.reload();
  await expect(log(page).getByTestId('user-message')).toHaveText('count to 300');
  await expect(answer(page)).toContainText(word(8));
  await page.getByRole('button', { name: 'Stop' }).click();

  await expect(log(page).getByTestId('run-end')).toHaveAttribute('data-status', 'stopped');
  await expect(log(page).getByTestId('run-end')).toHaveCount(1);
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
  await expect(log(page).getByRole('status').filter({ hasText: 'Stopped.' })).toBeVisible();
  const shown = await expectGapFreePrefix(page);
  expect(shown).toBeGreaterThanOrEqual(8);
  expect(shown).toBeLessThan(300);

  // The server agrees: nothing is running in this conversation any more.
  const conversationId = await tabConversationId(page);
  const view = await page.evaluate(async (id) => (await fetch(`/api/conversations/${id}`)).json(), conversationId);
  expect(view.activeRun).toBeNull();
});

test('a second tab on the same conversation sees the same live stream', async ({ context, page }) => {
  await page.goto('/');
  await send(page, 'count to 60');
  await expect(answer(page)).toContainText(word(3));
  const conversationId = await tabConversationId(page);

  const second = await context.newPage();
  await second.goto(`/?c=${conversationId}`);
  await expect(log(second).getByTestId('user-message')).toHaveText('count to 60');

  await expectCompleteCount(second, 60);
  await expectCompleteCount(page, 60);
  expect(await answer(second).textContent()).toBe(await answer(page).textContent());
  expect(await tabConversationId(second)).toBe(conversationId);
});
