import { expect, test } from '@playwright/test';
import { executable, png } from '../fixtures/attachment-files';
import type { Page } from '@playwright/test';
import { log } from './support/chat';

/** The app is up and has its conversation (files go to it as soon as they are picked). */
async function ready(page: Page) {
  await page.goto('/');
  await expect.poll(() => page.evaluate(() => sessionStorage.getItem('tether-tab-conversation:demo'))).toMatch(/^[0-9a-f-]{36}$/);
}

test('an attached photo is scaled to the model’s size, sent with the message, shown as a thumbnail that opens full size, and kept after a reload', async ({ page }) => {
  await ready(page);
  await page.getByLabel('Attach files').setInputFiles({ name: 'whiteboard.png', mimeType: 'image/png', buffer: png(3000, 2000) });
  const chip = page.getByTestId('attachment-chip');
  await expect(chip).toContainText('whiteboard.png');
  await expect(chip.getByRole('status')).toHaveCount(0); // uploaded
  await page.getByRole('textbox', { name: 'Message' }).fill('What is on this whiteboard?');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(chip).toHaveCount(0);
  // The browser drew it again at 1568 px on its long side before it went.
  await expect(log(page).getByTestId('assistant-message')).toContainText('I see a 1568×1045 PNG');
  const thumbnail = log(page).getByTestId('attachment-thumbnail');
  await expect(thumbnail).toBeVisible();
  await log(page).getByRole('button', { name: 'Show whiteboard.png' }).click();
  await expect(page.getByRole('dialog', { name: 'whiteboard.png' }).getByRole('img')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);

  await page.reload();
  await expect(log(page).getByTestId('attachment-thumbnail')).toBeVisible();
  await expect(log(page).getByTestId('user-message')).toHaveText(['What is on this whiteboard?']);
});

test('a screenshot pasted into the message box is attached; a chip can be removed before sending; a fake image is refused with the reason', async ({ page }) => {
  await ready(page);
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.focus();
  await page.evaluate((base64) => {
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    const clipboard = new DataTransfer();
    clipboard.items.add(new File([bytes], 'screenshot.png', { type: 'image/png' }));
    document.querySelector('textarea')!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: clipboard, bubbles: true, cancelable: true }));
  }, png(40, 30).toString('base64'));
  const chips = page.getByTestId('attachment-chip');
  await expect(chips).toContainText(['screenshot.png']);
  await expect(chips.getByRole('status')).toHaveCount(0);
  await page.getByRole('button', { name: 'Remove screenshot.png' }).click();
  await expect(chips).toHaveCount(0);

  // An executable named .png: the browser can't draw it, so it goes as it is, and the server refuses it.
  await page.getByLabel('Attach files').setInputFiles({ name: 'cat.png', mimeType: 'image/png', buffer: executable() });
  await expect(chips.getByRole('alert')).toContainText(/not .*image/i);
  await expect(page.getByRole('button', { name: 'Send' })).toBeDisabled();
});
