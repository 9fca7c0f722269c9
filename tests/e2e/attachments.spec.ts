import { expect, test, type Locator, type Page } from '@playwright/test';
import { executable, pdf, png } from '../fixtures/attachment-files';
import { seriousViolations } from './support/axe';
import { chooseFromConversationMenu, log } from './support/chat';

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

/** An image has really loaded (its bytes came, from the server, the worker's cache or a share fetch). */
const loaded = (image: Locator) => expect.poll(() => image.evaluate((element: HTMLImageElement) => element.complete && element.naturalWidth)).toBeGreaterThan(0);

/** A link of the conversation's ⋯ menu (share, another device), read from its dialog. */
async function linkFrom(page: Page, item: string, field: string): Promise<string> {
  await chooseFromConversationMenu(page, item);
  const dialog = page.getByRole('dialog', { name: item });
  if (item === 'Share read-only') await dialog.getByRole('button', { name: 'Share read-only' }).click();
  const link = dialog.getByRole('textbox', { name: field });
  await expect(link).toHaveValue(/#(share|handoff)=/);
  const url = await link.inputValue();
  await page.keyboard.press('Escape');
  return url;
}

test('on a phone: Attach opens the file chooser, a dropped PDF joins the photo, and the share page and another device show both', async ({ browser, page }) => {
  await page.setViewportSize({ width: 390, height: 800 });
  await ready(page);
  // Plan mode lists only what the model reads itself (the camera's images first); the other modes offer every file.
  await page.getByRole('combobox', { name: 'Mode', exact: true }).selectOption('plan');
  await expect(page.getByLabel('Attach files')).toHaveAttribute('accept', /^image\/png,image\/jpeg,image\/gif,image\/webp,/);
  await page.getByRole('combobox', { name: 'Mode', exact: true }).selectOption('build');
  await expect(page.getByLabel('Attach files')).not.toHaveAttribute('accept');
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Attach', exact: true }).click();
  expect((await chooser).isMultiple()).toBe(true);
  await (await chooser).setFiles({ name: 'photo.png', mimeType: 'image/png', buffer: png(800, 600) });
  await page.evaluate((base64) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([Uint8Array.from(atob(base64), (char) => char.charCodeAt(0))], 'spec.pdf', { type: 'application/pdf' }));
    document.querySelector('form.composer')!.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, pdf().toString('base64'));
  const chips = page.getByTestId('attachment-chip');
  await expect(chips).toContainText(['photo.png', 'spec.pdf']);
  await expect(chips.getByRole('status')).toHaveCount(0);
  expect(await seriousViolations(page, 'chips')).toEqual([]);
  await page.getByRole('textbox', { name: 'Message' }).fill('What do these show?');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(log(page).getByTestId('run-end')).toBeVisible();
  await loaded(log(page).getByTestId('attachment-thumbnail'));
  await expect(log(page).getByRole('link', { name: /spec\.pdf/ })).toBeVisible();
  expect(await seriousViolations(page, 'sent')).toEqual([]);

  // The share page: no cookie of this site, the token in a header, the pictures shown from their bytes.
  const shareUrl = await linkFrom(page, 'Share read-only', 'Share link');
  const viewer = await (await browser.newContext()).newPage();
  await viewer.goto(shareUrl);
  await loaded(log(viewer).getByTestId('attachment-thumbnail'));
  await expect(log(viewer).getByRole('link', { name: /spec\.pdf/ })).toHaveAttribute('href', /^blob:/);
  await log(viewer).getByRole('button', { name: 'Show photo.png' }).click();
  await loaded(viewer.getByRole('dialog', { name: 'photo.png' }).getByRole('img'));

  // Another device of this visitor, by a handoff link.
  const handoffUrl = await linkFrom(page, 'Continue on another device', 'Handoff link');
  const phone = await (await browser.newContext()).newPage();
  await phone.goto(handoffUrl);
  await loaded(log(phone).getByTestId('attachment-thumbnail'));
  await expect(log(phone).getByTestId('user-message')).toHaveText(['What do these show?']);
});

test('in plan mode a file the model cannot read itself is held back, with the reason, until the mode allows saving it', async ({ page }) => {
  await ready(page);
  await page.getByRole('combobox', { name: 'Mode', exact: true }).selectOption('plan');
  // Picked anyway (dropped, or the chooser's "all files"): it uploads, and the composer says why it can't go.
  await page.getByLabel('Attach files').setInputFiles({ name: 'build.zip', mimeType: 'application/zip', buffer: Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00]) });
  await expect(page.getByTestId('attachment-chip').getByRole('status')).toHaveCount(0);
  await expect(page.getByText("Plan mode keeps the workspace read-only, so build.zip can't be saved into it for the agent.")).toBeVisible();
  await page.getByRole('textbox', { name: 'Message' }).fill('What is in this?');
  await expect(page.getByRole('button', { name: 'Send' })).toBeDisabled();
  await page.getByRole('combobox', { name: 'Mode', exact: true }).selectOption('build');
  await expect(page.getByText('Plan mode keeps the workspace read-only')).toHaveCount(0);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(log(page).getByTestId('run-end')).toBeVisible();
  await expect(log(page).getByRole('list', { name: 'Attached files' })).toContainText('build.zip');
});

test('the first visit offers "Describe this screenshot": it attaches a sample picture, and the demo model says what it got', async ({ page }) => {
  await ready(page);
  await page.getByRole('button', { name: 'Describe this screenshot' }).click();
  const chip = page.getByTestId('attachment-chip');
  await expect(chip).toContainText('screenshot.png');
  await expect(chip.getByRole('status')).toHaveCount(0);
  await expect(page.getByRole('textbox', { name: 'Message' })).toHaveValue('Describe this screenshot');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(log(page).getByTestId('assistant-message')).toContainText('I see a 900×560 PNG');
  await loaded(log(page).getByTestId('attachment-thumbnail'));
});
