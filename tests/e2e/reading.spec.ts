import { expect, test } from '@playwright/test';
import { chooseFromConversationMenu, log, send } from './support/chat';

test('answers read well: GFM tables and task lists, model names, Copy on code and answers', async ({ context, page }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/');
  await send(page, 'show a table');
  const answer = log(page).getByTestId('assistant-message').last();
  await expect(answer.locator('table')).toBeVisible();
  await expect(answer.getByRole('cell', { name: 'src/greet.ts' })).toBeVisible();
  await expect(answer.getByRole('checkbox')).toHaveCount(2);
  await expect(answer.locator('del')).toHaveText('Pick a name');
  await expect(log(page).getByTestId('run-end')).toContainText('Claude Sonnet 4.5 in');

  // The code block is highlighted as TypeScript.
  await expect(answer.locator('code.language-typescript, code.language-ts').first()).toBeVisible();
  await expect(answer.locator('.hljs-keyword').first()).toHaveText('export');
  await log(page).getByRole('button', { name: 'Copy code' }).click();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe('export const answer = 42;\n');
  await log(page).getByRole('button', { name: 'Copy answer' }).last().click();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toContain('| File | What it is |');
});

test('a short tool output shows as it is; a long one is folded with its line count', async ({ page }) => {
  await page.goto('/');
  await send(page, 'read README.md');
  const short = log(page).getByTestId('tool-card').last();
  await expect(short).toHaveAttribute('data-status', 'ok');
  await expect(short.locator('pre.tool-output')).toContainText('# Demo workspace');
  await send(page, 'run `seq 1 50`');
  const long = log(page).getByTestId('tool-card').last();
  await expect(long).toHaveAttribute('data-status', 'ok');
  const fold = long.getByText('Output · 50 lines');
  await expect(fold).toBeVisible();
  await expect(long.locator('pre.tool-output')).toBeHidden();
  await fold.click();
  await expect(long.locator('pre.tool-output')).toContainText('40\n…');
});

test('scrolled up during a stream, the view stays put; "Jump to latest" follows again', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 420 });
  await page.goto('/');
  // Enough before it that the conversation overflows the phone's screen.
  const earlier = ['list the files', 'read README.md', 'show a table'];
  for (const [index, text] of earlier.entries()) {
    await send(page, text);
    await expect(log(page).getByTestId('run-end')).toHaveCount(index + 1);
  }
  await send(page, 'count to 120');
  const answer = log(page).getByTestId('assistant-message').last();
  await expect(answer).toContainText('3 ');
  // The reader scrolls up (again, if a delta's render pulled the view down in the same frame).
  const jump = page.getByRole('button', { name: 'Jump to latest' });
  await expect(async () => {
    await log(page).evaluate((element) => element.scrollTo({ top: 0 }));
    await expect(jump).toBeVisible({ timeout: 500 });
  }).toPass();
  // New deltas arrive; the view stays where the reader is.
  const seen = (await answer.textContent())?.length ?? 0;
  await expect.poll(async () => (await answer.textContent())?.length ?? 0).toBeGreaterThan(seen + 20);
  expect(await log(page).evaluate((element) => element.scrollTop)).toBe(0);
  await jump.click();
  await expect(jump).toHaveCount(0);
  await expect(log(page).getByTestId('run-end').last()).toBeInViewport();
});

test('a first visit explains the workspace and offers example prompts that fill the message box', async ({ page }) => {
  await page.goto('/');
  await expect(log(page)).toContainText('This is the demo workspace');
  await log(page).getByRole('button', { name: 'Read README.md' }).click();
  const message = page.getByRole('textbox', { name: 'Message' });
  await expect(message).toHaveValue('Read README.md');
  await expect(message).toBeFocused();
});

test('a conversation that expired on the server says so when opened from Recent', async ({ page }) => {
  // As if the server had purged it: this browser's Recent has it, with messages, the server doesn't.
  // Written from a page of the origin that runs no app, so nothing overwrites it before the app reads it.
  await page.goto('/api/health');
  await page.evaluate(() => {
    const entry = {
      conversationId: '00000000-0000-4000-8000-00000000dead',
      workspace: 'demo',
      lastActivity: Date.now() - 3 * 86_400_000,
      preview: 'An old question',
      messageCount: 4,
      lastViewedAt: 0,
    };
    localStorage.setItem('tether-conversations', JSON.stringify({ state: { recent: [entry] }, version: 3 }));
  });
  await page.goto('/');
  await page
    .getByRole('navigation', { name: 'Recent conversations' })
    .getByRole('button', { name: /An old question/ })
    .click();
  await expect(page.getByRole('status').filter({ hasText: 'This conversation has expired' })).toBeVisible();
});

test('renaming a conversation names it in Recent, and the name is kept on the server', async ({ page }) => {
  await page.goto('/');
  await send(page, 'hello');
  await expect(log(page).getByTestId('run-end')).toBeVisible();
  page.once('dialog', (dialog) => void dialog.accept('Greetings thread'));
  await chooseFromConversationMenu(page, 'Rename');
  const recent = page.getByRole('navigation', { name: 'Recent conversations' });
  await expect(recent.getByRole('button', { name: /Greetings thread/ })).toBeVisible();
  // Forget this browser's copy: the name comes back from the server.
  await page.evaluate(() => localStorage.removeItem('tether-conversations'));
  await page.reload();
  await expect(recent.getByRole('button', { name: /Greetings thread/ })).toBeVisible();
});

test('"See all" lists the conversations the server keeps beyond Recent, and opens one', async ({ page }) => {
  await page.goto('/');
  // Twelve conversations made through the API (one at a time: a visitor runs two at once at most).
  const titles = Array.from({ length: 12 }, (_, i) => `See-all conversation ${i + 1}`);
  await page.evaluate(async (texts) => {
    for (const text of texts) {
      const id = crypto.randomUUID();
      const sent = await fetch(`/api/conversations/${id}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text, model: 'claude-sonnet-4-5', mode: 'plan' }),
      });
      if (!sent.ok) throw new Error(`send: ${sent.status} ${await sent.text()}`);
      for (;;) {
        const view = (await (await fetch(`/api/conversations/${id}`)).json()) as { activeRun: unknown };
        if (view.activeRun === null) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }, titles);
  await page.getByRole('button', { name: 'See all' }).click();
  const all = page.getByRole('dialog', { name: 'All conversations' });
  await expect(all.getByRole('button', { name: /See-all conversation/ })).toHaveCount(12);
  // Latest first: the first one made is last.
  await expect(all.getByRole('button', { name: /See-all conversation/ }).first()).toContainText('See-all conversation 12');
  await all.getByRole('button', { name: /See-all conversation 1\b/ }).click();
  await expect(all).toBeHidden();
  await expect(log(page).getByTestId('user-message')).toHaveText('See-all conversation 1');
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeFocused();
});
