import { expect, test, type Page } from '@playwright/test';
import { seriousViolations } from './support/axe';
import { log, send } from './support/chat';

/** A conversation with what a real one shows: thinking, a plan, tool cards, a code block, a table, a denied tool call with its diff card, a run's Changes, Retry and Edit. */
async function fullConversation(page: Page) {
  await send(page, 'think about colour contrast');
  await log(page).getByTestId('thinking').locator('summary').click();
  await send(page, 'plan a check');
  await expect(log(page).getByTestId('run-end')).toHaveCount(2);
  await send(page, 'read README.md');
  await expect(log(page).getByTestId('run-end')).toHaveCount(3);
  await send(page, 'show a table');
  await expect(log(page).getByTestId('run-end')).toHaveCount(4);
  await page.getByRole('combobox', { name: 'Mode', exact: true }).selectOption('ask');
  await send(page, 'write axe.md');
  await log(page).getByTestId('approval-card').getByRole('button', { name: 'Deny' }).click();
  await expect(log(page).getByTestId('run-end')).toHaveCount(5);
  await page.getByRole('combobox', { name: 'Mode', exact: true }).selectOption('build');
  const file = `axe-${Date.now()}.md`; // a new file, so the run surely changes something
  await send(page, `write ${file}`);
  await log(page).getByRole('region', { name: 'Changes' }).getByText(file, { exact: true }).click();
  await expect(log(page).getByLabel(`Changes to ${file}`)).toBeVisible();
}

for (const width of [1280, 360]) {
  test(`axe finds no serious or critical violations at ${width} px, in the light and the dark theme, with one h1`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 });
    await page.goto('/');
    await fullConversation(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveCount(1);
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      expect(await seriousViolations(page, colorScheme)).toEqual([]);
    }
    // The message box's `/` list, open.
    await page.getByRole('textbox', { name: 'Message' }).fill('/');
    await expect(page.getByRole('listbox', { name: 'Commands' })).toBeVisible();
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      expect(await seriousViolations(page, `command list, ${colorScheme}`)).toEqual([]);
    }
    await page.getByRole('textbox', { name: 'Message' }).fill('');
    // The dark theme is the system's choice, and really dark.
    expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe('rgb(15, 17, 21)');
  });
}

test('focus goes where the work is: the message box after New chat, Stop when it replaces Send, and back', async ({ page }) => {
  await page.goto('/');
  const message = page.getByRole('textbox', { name: 'Message' });
  await page.getByRole('button', { name: 'New chat' }).click();
  await expect(message).toBeFocused();
  await message.fill('count to 8');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByRole('button', { name: 'Stop' })).toBeFocused();
  await expect(log(page).getByTestId('run-end')).toBeVisible();
  await expect(message).toBeFocused();
});

test('on a phone, the Recent sheet takes the focus and Escape closes it, back to its button', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto('/');
  const toggle = page.getByRole('button', { name: 'Recent' });
  await toggle.click();
  const sheet = page.getByRole('navigation', { name: 'Recent conversations' });
  await expect(sheet).toBeVisible();
  await expect(page.locator('.sidebar :focus')).toHaveCount(1);
  // Tab goes round inside the sheet, both ways, never into the chat behind it.
  for (const key of ['Tab', 'Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
    await page.keyboard.press(key);
    await expect(page.locator('.sidebar :focus')).toHaveCount(1);
  }
  await page.keyboard.press('Escape');
  await expect(sheet).toBeHidden();
  await expect(toggle).toBeFocused();

  // The Files sheet too: it takes the focus, keeps it, and Escape gives it back to its button.
  const filesToggle = page.getByRole('button', { name: 'Files', exact: true });
  await filesToggle.click();
  const files = page.getByRole('complementary', { name: 'Files' });
  await expect(files.getByRole('button', { name: 'Close' })).toBeFocused();
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press('Tab');
    expect(await files.evaluate((panel) => panel.contains(document.activeElement))).toBe(true);
  }
  await page.keyboard.press('Escape');
  await expect(files).toHaveCount(0);
  await expect(filesToggle).toBeFocused();
});

test('the Settings dialog keeps the focus inside, closes on Escape, and gives the focus back', async ({ page }) => {
  await page.goto('/');
  const opener = page.getByRole('button', { name: 'Settings' });
  await opener.click();
  const settings = page.getByRole('dialog', { name: 'Settings' });
  await expect(settings).toBeVisible();
  // A fresh browser is subscribed to nothing, and says so.
  await expect(settings).toContainText(/Not subscribed|can’t show notifications/);
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('Tab');
    expect(await settings.evaluate((dialog) => dialog.contains(document.activeElement))).toBe(true);
  }
  await page.keyboard.press('Escape');
  await expect(settings).toBeHidden();
  await expect(opener).toBeFocused();
});

test('at 360 px the conversation header keeps its title and ⋯ on one line; its menu goes by keyboard, and Escape or a click outside closes it', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto('/');
  await send(page, 'a first message long enough that its title cannot fit on the narrowest phone screen');
  await expect(log(page).getByTestId('run-end')).toBeVisible();
  const title = page.getByRole('heading', { level: 2, name: /^a first message long enough/ });
  const opener = page.getByRole('button', { name: 'Conversation menu' });
  const [titleBox, openerBox] = [(await title.boundingBox())!, (await opener.boundingBox())!];
  expect(Math.abs(titleBox.y + titleBox.height / 2 - (openerBox.y + openerBox.height / 2))).toBeLessThan(2); // one row
  expect(openerBox.x + openerBox.width).toBeLessThanOrEqual(360);
  expect(await title.getByRole('button').evaluate((button) => button.scrollWidth > button.clientWidth)).toBe(true); // ellipsized, not wrapped
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

  // Enter opens it on its first item; ↓ and ↑ go through the items, round; Escape gives the focus back.
  await opener.focus();
  await page.keyboard.press('Enter');
  const menu = page.getByRole('menu', { name: 'Conversation menu' });
  const items = menu.getByRole('menuitem');
  await expect(opener).toHaveAttribute('aria-expanded', 'true');
  await expect(items).toHaveText([
    'Notifications',
    'Continue on another device',
    'Share read-only',
    'Changes in this conversation',
    'Export as Markdown',
    'Export as JSON',
    'Rename',
    'Delete conversation',
  ]);
  await expect(items.first()).toBeFocused();
  for (const item of await items.all()) {
    const box = (await item.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(360);
  }
  for (let i = 1; i < 8; i++) {
    await page.keyboard.press('ArrowDown');
    await expect(items.nth(i)).toBeFocused();
  }
  await page.keyboard.press('ArrowDown');
  await expect(items.first()).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(items.last()).toBeFocused();
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    expect(await seriousViolations(page, `open menu, ${colorScheme}`)).toEqual([]);
  }
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();
  await expect(opener).toHaveAttribute('aria-expanded', 'false');
  await expect(opener).toBeFocused();

  // An item that opens a dialog opens it; closing the dialog gives the focus back to ⋯.
  await page.keyboard.press('ArrowDown');
  await expect(items.first()).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  const handoff = page.getByRole('dialog', { name: 'Continue on another device' });
  await expect(handoff).toBeVisible();
  await expect(menu).toBeHidden();
  await page.keyboard.press('Escape');
  await expect(handoff).toBeHidden();
  await expect(opener).toBeFocused();

  // A click outside closes it, and leaves the focus where the click put it.
  await opener.click();
  await expect(menu).toBeVisible();
  const message = page.getByRole('textbox', { name: 'Message' });
  await message.click();
  await expect(menu).toBeHidden();
  await expect(message).toBeFocused();
});
