import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { E2E_DATA_DIR } from '../../playwright.config';
import { chooseFromConversationMenu, log, send, tabConversationId } from './support/chat';

/** The API's answer status, asked from the page (Node can't resolve `*.localhost`; Chromium can). */
const statusOf = (page: import('@playwright/test').Page, url: string) => page.evaluate(async (target) => (await fetch(target)).status, url);

test('deleting a conversation: gone from Recent in another tab, its history answers 404, its transcript is off the disk', async ({ context }) => {
  const page = await context.newPage();
  await page.goto('/');
  await send(page, 'a conversation to forget');
  await expect(log(page).getByTestId('run-end')).toBeVisible();
  const id = await tabConversationId(page);
  expect(existsSync(path.join(E2E_DATA_DIR, 'agents', id))).toBe(true);

  const other = await context.newPage();
  await other.goto('/');
  const recentThere = other.getByRole('navigation', { name: 'Recent conversations' });
  await expect(recentThere.getByRole('button', { name: /a conversation to forget/ })).toBeVisible();

  page.once('dialog', (dialog) => void dialog.accept());
  await chooseFromConversationMenu(page, 'Delete conversation');
  await expect(log(page).getByTestId('user-message')).toHaveCount(0);
  await expect(recentThere.getByRole('button', { name: /a conversation to forget/ })).toHaveCount(0);
  expect(await statusOf(page, `/api/conversations/${id}`)).toBe(404);
  expect(existsSync(path.join(E2E_DATA_DIR, 'agents', id))).toBe(false);
});

test('Clear all deletes every conversation of this browser in the workspace, after asking', async ({ page }) => {
  await page.goto('/');
  await send(page, 'first to clear');
  await expect(log(page).getByTestId('run-end')).toBeVisible();
  const first = await tabConversationId(page);
  await page.getByRole('button', { name: 'New chat' }).click();
  await send(page, 'second to clear');
  await expect(log(page).getByTestId('run-end')).toBeVisible();
  const recent = page.getByRole('navigation', { name: 'Recent conversations' });

  // Saying no keeps everything.
  page.once('dialog', (dialog) => void dialog.dismiss());
  await recent.getByRole('button', { name: 'Clear all' }).click();
  await expect(recent.getByRole('button', { name: /first to clear/ })).toBeVisible();

  page.once('dialog', (dialog) => void dialog.accept());
  await recent.getByRole('button', { name: 'Clear all' }).click();
  await expect(recent.getByText('No conversations yet.')).toBeVisible();
  expect(await statusOf(page, `/api/conversations/${first}`)).toBe(404);
});
