import { expect, type Page } from '@playwright/test';

/** The conversation transcript, by its accessible role and name. */
export const log = (page: Page) => page.getByRole('log', { name: 'Conversation' });

/** Types a message, sends it, and waits until it shows in the conversation. */
export async function send(page: Page, text: string) {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(log(page).getByTestId('user-message').last()).toHaveText(text);
}

/** The conversation this tab shows (one tab = one conversation, kept in sessionStorage). */
export async function tabConversationId(page: Page): Promise<string> {
  const id = await page.evaluate(() => sessionStorage.getItem('tether-tab-conversation:demo'));
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  return id!;
}
