import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { chooseFromConversationMenu, log, send, tabConversationId } from './support/chat';

const ANDROID_CHROME = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36';

test('a handoff link gives another browser the conversation, once; the first device sees it live and can revoke it', async ({ browser, page }) => {
  // Device A, the desk: a conversation, then a link for it.
  await page.goto('/');
  await send(page, 'hello from the desk');
  await expect(log(page).getByTestId('run-end')).toBeVisible();
  const conversationId = await tabConversationId(page);
  await chooseFromConversationMenu(page, 'Continue on another device');
  const dialog = page.getByRole('dialog', { name: 'Continue on another device' });
  const field = dialog.getByRole('textbox', { name: 'Handoff link' });
  await expect(field).toHaveValue(/^http:\/\/demo\.localhost:\d+\/#handoff=[\w-]{43}$/);
  await expect(dialog.getByRole('img', { name: 'QR code of the handoff link' })).toBeVisible();
  const url = await field.inputValue();
  await page.keyboard.press('Escape'); // closing keeps the link valid
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('button', { name: 'Conversation menu' })).toBeFocused();

  // Device B, a phone: the link opens straight into the conversation, the token gone from the address.
  const phone = await browser.newContext({ userAgent: ANDROID_CHROME });
  const b = await phone.newPage();
  await b.goto(url);
  await expect(log(b).getByTestId('user-message')).toHaveText(['hello from the desk']);
  expect(b.url()).not.toContain('handoff');
  await expect(b.getByRole('textbox', { name: 'Message' })).toBeEditable();
  await send(b, 'hello from the phone');
  await expect(log(b).getByTestId('run-end')).toHaveCount(2);

  // A, without reloading, sees the phone's message and its answer.
  await expect(log(page).getByTestId('user-message')).toHaveText(['hello from the desk', 'hello from the phone']);
  await expect(log(page).getByTestId('run-end')).toHaveCount(2);

  // The same link a second time, in a third browser: it explains itself instead of opening a blank chat.
  const third = await browser.newContext();
  const c = await third.newPage();
  await c.goto(url);
  await expect(c.getByText('This handoff link was already used')).toBeVisible();
  expect(await c.evaluate(async (id) => (await fetch(`/api/conversations/${id}`)).status, conversationId)).toBe(404);

  // A's devices: itself and the phone, by browser and OS. Revoking the phone ends its access.
  await chooseFromConversationMenu(page, 'Continue on another device');
  const devices = dialog.getByRole('region', { name: 'Devices with access' }).getByRole('listitem');
  await expect(devices).toHaveCount(2);
  await expect(devices.filter({ hasText: '(this device)' })).toHaveCount(1);
  await dialog.getByRole('button', { name: 'Revoke Chrome on Android' }).click();
  await expect(devices).toHaveCount(1);
  await dialog.getByRole('button', { name: 'Close' }).click();
  expect(await b.evaluate(async (id) => (await fetch(`/api/conversations/${id}`)).status, conversationId)).toBe(404);
  const sent = await b.evaluate(
    async (id) =>
      (
        await fetch(`/api/conversations/${id}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text: 'still here?', model: 'claude-sonnet-4-5', mode: 'plan' }),
        })
      ).status,
    conversationId,
  );
  expect(sent).toBe(404);
  await phone.close();
  await third.close();
});

test('a handoff link that is not valid says so', async ({ page }) => {
  await page.goto(`/#handoff=${'x'.repeat(43)}`);
  await expect(page.getByText('This handoff link is not valid here')).toBeVisible();
  expect(page.url()).not.toContain('handoff');
});

test('a read-only share link: a browser with no visitor cookie watches a live run, cannot write, and loses the view when sharing is turned off', async ({ browser, page }) => {
  await page.goto('/');
  await send(page, 'hello before sharing');
  await expect(log(page).getByTestId('run-end')).toBeVisible();
  const conversationId = await tabConversationId(page);
  await chooseFromConversationMenu(page, 'Share read-only');
  const dialog = page.getByRole('dialog', { name: 'Share read-only' });
  await dialog.getByRole('button', { name: 'Share read-only' }).click();
  const field = dialog.getByRole('textbox', { name: 'Share link' });
  await expect(field).toHaveValue(/^http:\/\/demo\.localhost:\d+\/shared#share=[\w-]{43}$/);
  const url = await field.inputValue();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await send(page, 'count to 300');
  await expect(log(page).getByTestId('assistant-message').last()).toContainText('2 ');

  // Device C: someone else's browser, no cookie of this site.
  const viewer = await browser.newContext();
  const c = await viewer.newPage();
  await c.goto(url);
  await expect(log(c).getByTestId('user-message')).toHaveText(['hello before sharing', 'count to 300']);
  const seen = (await log(c).getByTestId('assistant-message').last().textContent())?.length ?? 0;
  await expect.poll(async () => (await log(c).getByTestId('assistant-message').last().textContent())?.length ?? 0).toBeGreaterThan(seen + 10);
  expect(c.url()).not.toContain('share=');
  await expect(c.locator('meta[name="robots"]')).toHaveAttribute('content', /noindex/);
  await expect(c.getByRole('textbox', { name: 'Message' })).toHaveCount(0);
  await expect(c.getByRole('button', { name: /^(Send|Stop)$/ })).toHaveCount(0);
  await expect(c.getByRole('button', { name: 'Conversation menu' })).toHaveCount(0);
  // The share page offers the conversation as Markdown.
  const [download] = await Promise.all([c.waitForEvent('download'), c.getByRole('button', { name: 'Export' }).click()]);
  expect(download.suggestedFilename()).toBe('tether-hello-before-sharing.md');
  expect(readFileSync((await download.path())!, 'utf8')).toContain('## You\n\nhello before sharing');
  expect(await viewer.cookies()).toEqual([]);

  // Write attempts through the API, with the share token too: 403 or 404, and nothing reaches the model.
  const runId = await page.evaluate(async (id) => ((await (await fetch(`/api/conversations/${id}`)).json()) as { activeRun: { id: string } }).activeRun.id, conversationId);
  const token = url.split('#share=')[1]!;
  const statuses = await c.evaluate(
    async ({ id, run, token }) => {
      const headers = { 'content-type': 'application/json', 'x-share-token': token };
      const send = (path: string, method: string, body: unknown = {}) => fetch(path, { method, headers, body: JSON.stringify(body) }).then((response) => response.status);
      return [
        await send(`/api/conversations/${id}/messages`, 'POST', { text: 'hijack', model: 'claude-sonnet-4-5', mode: 'plan' }),
        await send(`/api/runs/${run}/stop`, 'POST'),
        await send(`/api/conversations/${id}/mute`, 'PUT', { muted: true }),
        await send(`/api/conversations/${id}/handoff`, 'POST'),
        await send(`/api/conversations/${id}/share`, 'DELETE'),
        await fetch(`/api/conversations/${id}/devices`, { headers }).then((response) => response.status),
        await fetch(`/api/conversations/${id}`, { headers }).then((response) => response.status),
      ];
    },
    { id: conversationId, run: runId, token },
  );
  for (const status of statuses) expect([403, 404]).toContain(status);
  await expect(log(page).getByTestId('user-message')).toHaveText(['hello before sharing', 'count to 300']);

  // The owner turns the link off: the viewer's live view ends and says so.
  await chooseFromConversationMenu(page, 'Share read-only');
  await dialog.getByRole('button', { name: 'Turn off sharing' }).click();
  await expect(dialog.getByRole('button', { name: 'Share read-only' })).toBeVisible();
  await expect(c.getByText('This share link is off')).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await page.getByRole('button', { name: 'Stop' }).click();
  await viewer.close();
});
