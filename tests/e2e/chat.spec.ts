import { expect, test } from '@playwright/test';
import { log, send } from './support/chat';

test('visiting a workspace subdomain: the reply streams in', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByText('Demo model', { exact: true })).toBeVisible();
  await send(page, 'hello from the first visit');
  await expect(log(page).getByTestId('user-message')).toHaveText('hello from the first visit');
  // While the run streams, Stop replaces Send; the reply grows word by word.
  await expect(page.getByRole('button', { name: 'Stop' })).toBeVisible();
  await expect(log(page).getByTestId('assistant-message')).toContainText('That is message 1 from you in this session.');
  await expect(log(page).getByTestId('run-end')).toContainText('Claude Sonnet 4.5 in build mode');
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
});

test('tool calls show as cards with their target', async ({ page }) => {
  await page.goto('/');
  await send(page, 'read README.md');
  const card = log(page).getByTestId('tool-card');
  await expect(card).toContainText('Read');
  await expect(card).toContainText('README.md');
  await expect(card).toHaveAttribute('data-status', 'ok');
  await expect(log(page).getByTestId('assistant-message').last()).toContainText('# Demo workspace');
});

test('the demo runs a shell command in the agent sandbox', async ({ page }) => {
  await page.goto('/');
  // This server has the sandbox, so no "Unsandboxed" badge and the demo workspace offers Bash.
  await expect(page.getByText('Demo model', { exact: true })).toBeVisible();
  await expect(page.getByText('Unsandboxed', { exact: true })).toHaveCount(0);
  await send(page, 'run `ls -la`');
  const card = log(page).getByTestId('tool-card');
  await expect(card).toContainText('Bash');
  await expect(card).toContainText('ls -la');
  await expect(card).toHaveAttribute('data-status', 'ok');
  // The sandbox's own user owns the workspace files it sees.
  await expect(log(page).getByTestId('assistant-message').last()).toContainText('README.md');
  await expect(log(page).getByTestId('assistant-message').last()).toContainText('agent');
});

test('resumes the conversation after a browser restart, in the same agent session', async ({ browser }) => {
  const first = await browser.newContext();
  const page = await first.newPage();
  await page.goto('/');
  await send(page, 'remember the word aubergine');
  await expect(log(page).getByTestId('run-end')).toBeVisible();
  const state = await first.storageState();
  await first.close();

  const second = await browser.newContext({ storageState: state });
  const again = await second.newPage();
  await again.goto('/');
  await expect(log(again).getByTestId('user-message')).toHaveText('remember the word aubergine');
  await expect(log(again).getByTestId('assistant-message')).toContainText('That is message 1 from you in this session.');
  await send(again, 'what was the word?');
  // The model saw both prompts: the CLI resumed the same SDK session.
  await expect(log(again).getByTestId('assistant-message').last()).toContainText('That is message 2 from you in this session.');
  await second.close();
});

test('starting a new chat leaves the old one in the recent list, reopenable, and a new conversation asks nothing that answers 404', async ({ page }) => {
  // A conversation the tab just made is known to have no history: asking the server would 404 (a console error).
  const notFound: string[] = [];
  page.on('response', (response) => void (response.status() === 404 && notFound.push(response.url())));
  await page.goto('/');
  await send(page, 'the first conversation');
  await expect(log(page).getByTestId('run-end')).toBeVisible();
  await page.getByRole('button', { name: 'New chat' }).click();
  await expect(log(page).getByTestId('user-message')).toHaveCount(0);
  await expect(log(page)).toContainText('a Claude agent works on its files with you');

  const recent = page.getByRole('navigation', { name: 'Recent conversations' });
  await expect(recent.getByRole('button', { name: /the first conversation/ })).toBeVisible();
  await send(page, 'the second conversation');
  await expect(log(page).getByTestId('assistant-message')).toContainText('That is message 1 from you in this session.');
  await recent.getByRole('button', { name: /the first conversation/ }).click();
  await expect(log(page).getByTestId('user-message')).toHaveText('the first conversation');
  expect(notFound).toEqual([]);
});

test('an unknown workspace shows a friendly 404 page', async ({ page }) => {
  const port = new URL(test.info().project.use.baseURL!).port;
  const notFound = await page.goto(`http://nosuch.localhost:${port}/`);
  expect(notFound?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'No workspace here' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Open the demo workspace' })).toHaveAttribute('href', `http://demo.localhost:${port}`);
});

test("another visitor's conversation id reveals nothing", async ({ browser, page }) => {
  await page.goto('/');
  await send(page, 'a private message');
  await expect(log(page).getByTestId('run-end')).toBeVisible();
  const conversationId = await page.evaluate(() => sessionStorage.getItem('tether-tab-conversation:demo'));
  expect(conversationId).toMatch(/^[0-9a-f-]{36}$/);

  const stranger = await browser.newContext();
  const strangerPage = await stranger.newPage();
  await strangerPage.goto(`/?c=${conversationId}`);
  const api = await strangerPage.evaluate(async (id) => {
    const response = await fetch(`/api/conversations/${id}`);
    return { status: response.status, body: await response.json() };
  }, conversationId);
  expect(api).toEqual({ status: 404, body: { error: { code: 'not_found:conversation', message: 'No such conversation.' } } });
  await expect(log(strangerPage)).toContainText('a Claude agent works on its files with you');
  await expect(log(strangerPage)).not.toContainText('a private message');
  await stranger.close();
});

test('Stop cancels a run and keeps the partial answer', async ({ page }) => {
  await page.goto('/');
  await send(page, 'count to 300');
  const answer = log(page).getByTestId('assistant-message');
  await expect(answer).toContainText('5 ');
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(log(page).getByTestId('run-end')).toContainText('stopped');
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
  const partial = (await answer.textContent()) ?? '';
  expect(partial).not.toContain('300');
  await expect(log(page).getByRole('status').filter({ hasText: 'Stopped.' })).toBeVisible();
});
