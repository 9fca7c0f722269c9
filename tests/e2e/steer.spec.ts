import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { log, openConversationMenu, send } from './support/chat';

test('thinking shows as a folded "Thought for …" that opens on the text, and stays after a reload', async ({ page }) => {
  await page.goto('/');
  await send(page, 'think about the tides');
  const thinking = log(page).getByTestId('thinking');
  await expect(thinking).toHaveAttribute('data-done', 'true');
  await expect(thinking.locator('summary')).toHaveText(/^Thought for \d+ s$/);
  const text = thinking.locator('.thinking-text');
  await expect(text).toBeHidden();
  await thinking.locator('summary').click();
  await expect(text).toContainText('think about the tides');
  await expect(log(page).getByTestId('assistant-message')).toContainText('I thought about the tides');

  await page.reload();
  await expect(log(page).getByTestId('thinking').locator('summary')).toHaveText(/^Thought for \d+ s$/);
  await log(page).getByTestId('thinking').locator('summary').click();
  await expect(log(page).getByTestId('thinking').locator('.thinking-text')).toContainText('think about the tides');
});

test('an answer the model API breaks off fails with the text kept and a plain message; Retry runs it again in its place', async ({ page }) => {
  await page.goto('/');
  const prompt = `fail mid-stream ${Date.now()}`;
  await send(page, prompt);
  await expect(log(page).getByTestId('run-end')).toHaveAttribute('data-status', 'failed');
  await expect(log(page).getByRole('alert')).toHaveText('The model is overloaded right now, and its answer broke off. What arrived is kept above. Retry in a moment.');
  await expect(log(page).getByTestId('assistant-message')).toContainText('Here is the start of an answer');

  await log(page).getByRole('button', { name: 'Retry' }).click();
  await expect(log(page).getByTestId('run-end')).toHaveAttribute('data-status', 'completed');
  // The failed attempt folded away: one message, one answer, one outcome.
  await expect(log(page).getByTestId('user-message')).toHaveText([prompt]);
  await expect(log(page).getByTestId('assistant-message')).toHaveText([/This time the answer came through whole/]);
  await expect(log(page).getByRole('alert')).toHaveCount(0);

  await page.reload();
  await expect(log(page).getByTestId('user-message')).toHaveText([prompt]);
  await expect(log(page).getByTestId('run-end')).toHaveCount(1);
  await expect(log(page).getByTestId('run-end')).toHaveAttribute('data-status', 'completed');
});

test('Edit puts the last message back in the box (↑ does too); sending replaces it and its answer', async ({ page }) => {
  await page.goto('/');
  await send(page, 'hello there');
  await send(page, 'read READNE.md');
  await expect(log(page).getByTestId('run-end')).toHaveCount(2);
  await expect(log(page).getByRole('button', { name: 'Edit' })).toHaveCount(1); // on the last message only

  const box = page.getByRole('textbox', { name: 'Message' });
  await box.focus();
  await page.keyboard.press('ArrowUp');
  await expect(box).toHaveValue('read READNE.md');
  await expect(page.getByRole('status').filter({ hasText: 'Editing your last message' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(box).toHaveValue('');

  await log(page).getByRole('button', { name: 'Edit' }).click();
  await expect(box).toHaveValue('read READNE.md');
  await box.fill('read README.md');
  await page.keyboard.press('Enter');
  await expect(log(page).getByTestId('run-end')).toHaveCount(2);
  await expect(log(page).getByTestId('user-message')).toHaveText(['hello there', 'read README.md']);
  await expect(log(page).getByTestId('tool-card').last()).toHaveAttribute('data-status', 'ok');
  await page.reload();
  await expect(log(page).getByTestId('user-message')).toHaveText(['hello there', 'read README.md']);
});

test('the plan: a checklist pinned above the message box updates live, and stays in the conversation as compact cards', async ({ page }) => {
  await page.goto('/');
  await send(page, 'plan a picnic');
  const pinned = page.getByTestId('pinned-plan');
  await expect(pinned.locator('li[data-status="in_progress"]')).toContainText('Look at what is there');
  await expect(pinned.locator('li[data-status="in_progress"]')).toContainText('Work out the steps');
  await expect(pinned.locator('li[data-status="completed"]')).toHaveCount(1);
  await expect(log(page).getByTestId('run-end')).toHaveAttribute('data-status', 'completed');
  await expect(pinned).toHaveCount(0);
  const cards = log(page).getByTestId('plan');
  await expect(cards).toHaveCount(4);
  await expect(cards.last().locator('summary')).toHaveText('Plan · 3 of 3 done');
  await expect(log(page).getByTestId('tool-card')).toHaveCount(0);
  await page.reload();
  await expect(log(page).getByTestId('plan').last().locator('summary')).toHaveText('Plan · 3 of 3 done');
});

test('Export downloads the conversation as Markdown (and as JSON)', async ({ page }) => {
  await page.goto('/');
  await send(page, 'read README.md');
  await expect(log(page).getByTestId('run-end')).toHaveCount(1);
  const [markdown] = await Promise.all([page.waitForEvent('download'), (await openConversationMenu(page)).getByRole('menuitem', { name: 'Export as Markdown' }).click()]);
  expect(markdown.suggestedFilename()).toBe('tether-read-readme-md.md');
  const text = readFileSync((await markdown.path())!, 'utf8');
  expect(text).toContain('## You\n\nread README.md');
  expect(text).toMatch(/<details><summary>Read README\.md · ok<\/summary>[\s\S]*# Demo workspace/);
  const [json] = await Promise.all([page.waitForEvent('download'), (await openConversationMenu(page)).getByRole('menuitem', { name: 'Export as JSON' }).click()]);
  expect(JSON.parse(readFileSync((await json.path())!, 'utf8')).runs).toHaveLength(1);
});

test('at 360 px the header stays on one line, code scrolls sideways, and the conversation shows its title', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto('/');
  await send(page, 'show a table');
  await expect(log(page).getByTestId('run-end')).toHaveCount(1);
  const header = page.locator('header.topbar');
  const newChat = await header.getByRole('button', { name: 'New chat' }).boundingBox();
  const recent = await header.getByRole('button', { name: 'Recent' }).boundingBox();
  expect(Math.abs(newChat!.y - recent!.y)).toBeLessThan(2); // one row
  expect(newChat!.height).toBeLessThan(recent!.height + 2); // "New chat" on one line
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await expect(page.getByRole('heading', { level: 2, name: 'show a table' })).toBeVisible();
  const pre = log(page).locator('pre').first();
  expect(await pre.evaluate((element) => getComputedStyle(element).whiteSpace)).toBe('pre');
  // A wide file shown in an answer scrolls inside it: nothing in the conversation is wider than the conversation.
  await send(page, 'read README.md');
  await expect(log(page).getByTestId('run-end')).toHaveCount(2);
  const wide = log(page).getByTestId('assistant-message').last().locator('pre');
  expect(await wide.evaluate((element) => element.scrollWidth > element.clientWidth)).toBe(true);
  expect(await log(page).evaluate((element) => element.scrollWidth - element.clientWidth)).toBe(0);
});

test('each run ends with a context meter; a tap shows its numbers', async ({ page }) => {
  await page.goto('/');
  await send(page, 'hello meter');
  const meter = log(page).getByTestId('run-end').getByTestId('context-meter');
  await expect(meter).toHaveText(/^ ?\d+% context$/);
  await expect(meter).toHaveAttribute('title', /^Context: [\d,]+ of 200,000 tokens$/);
  await meter.click();
  await expect(meter).toHaveText(/\d+% context · [\d,]+ of 200,000 tokens$/);
});

test('a subagent shows as a card with its own steps, its state and its report', async ({ page }) => {
  await page.goto('/');
  await send(page, 'delegate a look around');
  await expect(log(page).getByTestId('run-end')).toHaveAttribute('data-status', 'completed');
  const card = log(page).getByTestId('subagent-card');
  await expect(card).toHaveAttribute('data-status', 'ok');
  await expect(card).toContainText('Subagent');
  await expect(card).toContainText('a look around');
  await expect(card.getByRole('list', { name: "The subagent's steps" }).getByRole('listitem')).toHaveText([/Glob/, /Read\s+README\.md/]);
  await card.getByText('Report').click();
  await expect(card.locator('pre')).toContainText('it is the demo workspace');
  await expect(log(page).getByTestId('tool-card')).toHaveCount(0); // its steps are inside the card, not beside it
  await page.reload();
  await expect(log(page).getByTestId('subagent-card').getByRole('listitem')).toHaveText([/Glob/, /Read\s+README\.md/]);
});
