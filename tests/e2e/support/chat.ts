import { expect, type Locator, type Page } from '@playwright/test';

/** The conversation transcript, by its accessible role and name. */
export const log = (page: Page) => page.getByRole('log', { name: 'Conversation' });

/** Types a message, sends it, and waits until it shows in the conversation. */
export async function send(page: Page, text: string) {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(log(page).getByTestId('user-message').last()).toHaveText(text);
}

/** The conversation this tab shows (one tab = one conversation, kept in sessionStorage). */
export async function tabConversationId(page: Page, workspace = 'demo'): Promise<string> {
  const id = await page.evaluate((name) => sessionStorage.getItem(`tether-tab-conversation:${name}`), workspace);
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  return id!;
}

/** Opens the open conversation's "⋯" menu (notifications, another device, sharing, export, rename, delete) and returns it. */
export async function openConversationMenu(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'Conversation menu' }).click();
  const menu = page.getByRole('menu', { name: 'Conversation menu' });
  await expect(menu).toBeVisible();
  return menu;
}

/** Chooses an item of the conversation's "⋯" menu. */
export async function chooseFromConversationMenu(page: Page, item: string) {
  await (await openConversationMenu(page)).getByRole('menuitem', { name: item }).click();
}
