import { expect, test } from '@playwright/test';
import { log, send, tabConversationId } from './support/chat';

const ANDROID_CHROME = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36';

test('a handoff link gives another browser the conversation, once; the first device sees it live and can revoke it', async ({ browser, page }) => {
  // Device A, the desk: a conversation, then a link for it.
  await page.goto('/');
  await send(page, 'hello from the desk');
  await expect(log(page).getByTestId('run-end')).toBeVisible();
  const conversationId = await tabConversationId(page);
  const handoff = page.getByRole('button', { name: 'Continue on another device' });
  await handoff.click();
  const dialog = page.getByRole('dialog', { name: 'Continue on another device' });
  const field = dialog.getByRole('textbox', { name: 'Handoff link' });
  await expect(field).toHaveValue(/^http:\/\/demo\.localhost:\d+\/#handoff=[\w-]{43}$/);
  await expect(dialog.getByRole('img', { name: 'QR code of the handoff link' })).toBeVisible();
  const url = await field.inputValue();
  await page.keyboard.press('Escape'); // closing keeps the link valid
  await expect(dialog).toBeHidden();

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
  await handoff.click();
  const devices = dialog.getByRole('region', { name: 'Devices with access' }).getByRole('listitem');
  await expect(devices).toHaveCount(2);
  await expect(devices.filter({ hasText: '(this device)' })).toHaveCount(1);
  await dialog.getByRole('button', { name: 'Revoke Chrome on Android' }).click();
  await expect(devices).toHaveCount(1);
  await dialog.getByRole('button', { name: 'Close' }).click();
  expect(await b.evaluate(async (id) => (await fetch(`/api/conversations/${id}`)).status, conversationId)).toBe(404);
  const sent = await b.evaluate(
    async (id) => (await fetch(`/api/conversations/${id}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'still here?', model: 'claude-sonnet-4-5', mode: 'plan' }) })).status,
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
