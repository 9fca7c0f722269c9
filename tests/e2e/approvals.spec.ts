import { expect, test, type Page } from '@playwright/test';
import { log, send, tabConversationId } from './support/chat';

const card = (page: Page) => log(page).getByTestId('approval-card');

test('ask mode: the approval card survives a reload, shows in a second tab and on another device, and the first decision reaches them all', async ({ browser, context, page }) => {
  await page.goto('/');
  await page.getByRole('combobox', { name: 'Mode', exact: true }).selectOption('ask');
  await send(page, 'write approved.md');

  // The run waits: a card with what the agent would do, the diff, and the buttons.
  await expect(card(page)).toHaveAttribute('data-state', 'pending');
  await expect(card(page)).toContainText('The agent wants to create approved.md');
  await expect(card(page).getByLabel('Proposed change')).toContainText("+Written by Tether's demo model.");
  await expect(page.getByRole('status').filter({ hasText: 'Waiting for your approval' })).toBeVisible();

  // A reload re-attaches to the run: the pending card is still there, still answerable.
  await page.reload();
  await expect(card(page)).toHaveAttribute('data-state', 'pending');
  await expect(card(page).getByRole('button', { name: 'Allow', exact: true })).toBeEnabled();
  const conversationId = await tabConversationId(page);

  // A second tab of this browser sees it too.
  const second = await context.newPage();
  await second.goto(`/?c=${conversationId}`);
  await expect(card(second)).toHaveAttribute('data-state', 'pending');

  // Another device of the same visitor (its own browser storage) answers it.
  const phone = await browser.newContext({ baseURL: test.info().project.use.baseURL, storageState: { cookies: await context.cookies(), origins: [] } });
  const phonePage = await phone.newPage();
  await phonePage.goto(`/?c=${conversationId}`);
  await card(phonePage).getByRole('textbox', { name: 'Note for the agent (optional)' }).fill('Looks good');
  await card(phonePage).getByRole('button', { name: 'Allow', exact: true }).click();
  await expect(card(phonePage)).toContainText('Allowed on this device. Note: Looks good');

  for (const tab of [page, second]) {
    await expect(card(tab)).toHaveAttribute('data-state', 'allow');
    await expect(card(tab)).toContainText('Allowed on another device.');
    await expect(card(tab).getByRole('button', { name: 'Allow', exact: true })).toHaveCount(0);
    await expect(log(tab).getByTestId('assistant-message').last()).toContainText('File created successfully');
    await expect(log(tab).getByTestId('run-end')).toContainText('in ask mode');
  }
  await expect(page.getByRole('status').filter({ hasText: 'Waiting for your approval' })).toHaveCount(0);

  await phone.close();
});

test('ask mode: Deny with a note leaves the file unwritten and the agent is told', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('combobox', { name: 'Mode', exact: true }).selectOption('ask');
  await send(page, 'write denied.md');
  await card(page).getByRole('textbox', { name: 'Note for the agent (optional)' }).fill('Not now');
  await card(page).getByRole('button', { name: 'Deny' }).click();
  await expect(card(page)).toHaveAttribute('data-state', 'deny');
  await expect(card(page)).toContainText('Denied on this device. Note: Not now');
  await expect(log(page).getByTestId('tool-card').last()).toHaveAttribute('data-status', 'denied');
  await expect(log(page).getByTestId('assistant-message').last()).toContainText('The user denied this action. Their note: Not now');
});
