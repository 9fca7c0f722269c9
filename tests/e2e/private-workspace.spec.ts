import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
import { E2E_DATA_DIR, E2E_PORT } from '../../playwright.config';
import { chooseFromConversationMenu, log, send } from './support/chat';

/** A private workspace, made on disk as an operator would: the server finds it at its address. */
const NAME = 'hidden';
const ORIGIN = `http://${NAME}.localhost:${E2E_PORT}`;
const ROOT = path.join(E2E_DATA_DIR, 'workspaces', NAME);
const LOST_ACCESS_HINT = 'Ask the person who runs this workspace for a new link.';

test.beforeAll(() => {
  mkdirSync(path.join(ROOT, 'files'), { recursive: true });
  writeFileSync(path.join(ROOT, 'workspace.json'), JSON.stringify({ access: 'invite', membersMayInvite: true }));
  writeFileSync(path.join(ROOT, 'files', 'README.md'), '# Hidden workspace\n');
});

/** `npm run workspace -- invite`, as the operator runs it beside the server: it asks the server over its socket (PGlite is the server's alone). */
async function inviteFromCommandLine(...flags: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('npx', ['tsx', '--conditions=react-server', 'scripts/workspace.ts', 'invite', NAME, '--origin', ORIGIN, ...flags], {
    env: { ...process.env, TETHER_DATA_DIR: E2E_DATA_DIR, LOG_LEVEL: 'warn' },
  });
  return stdout.trim();
}

/** What the workspace's API answers this page's browser (same-origin fetch, its cookie along). */
const apiAnswer = (page: Page, url: string) =>
  page.evaluate(async (address) => {
    const response = await fetch(address);
    return { status: response.status, body: (await response.json()) as unknown };
  }, url);

async function expectPrivatePage(page: Page) {
  await expect(page.getByRole('heading', { name: 'This workspace is private' })).toBeVisible();
  await expect(page.getByText(LOST_ACCESS_HINT)).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Message' })).toHaveCount(0);
}

test("a stranger gets the private page and the API an unknown workspace's 404; an invite opened in a second browser makes it a member that chats, once, and hands its conversation on", async ({
  browser,
  page,
}) => {
  await page.goto(`${ORIGIN}/`);
  await expectPrivatePage(page);
  await page.goto(`${ORIGIN}/anything/else`);
  await expectPrivatePage(page);
  expect(await apiAnswer(page, '/api/conversations')).toEqual({ status: 404, body: { error: { code: 'not_found:workspace', message: 'No workspace at this address.' } } });

  // The operator's link, opened in another browser: it joins, lands in the workspace, and chats.
  const url = await inviteFromCommandLine('--label', 'Second browser');
  expect(url).toMatch(new RegExp(`^${ORIGIN}/join#[\\w-]{43}$`));
  const second = await browser.newContext();
  const member = await second.newPage();
  await member.goto(url);
  await expect(member).toHaveURL(`${ORIGIN}/`);
  await send(member, 'hello from a member');
  await expect(log(member).getByTestId('run-end')).toBeVisible();
  await member.reload();
  await expect(log(member).getByTestId('user-message')).toHaveText(['hello from a member']);

  // The member's handoff link, opened in a browser that is no member: it lands on the private page, which opens it there.
  await chooseFromConversationMenu(member, 'Continue on another device');
  const handoffUrl = await member.getByRole('dialog', { name: 'Continue on another device' }).getByRole('textbox', { name: 'Handoff link' }).inputValue();
  await member.keyboard.press('Escape');
  const phone = await browser.newContext();
  const handedOff = await phone.newPage();
  await handedOff.goto(handoffUrl);
  await expect(log(handedOff).getByTestId('user-message')).toHaveText(['hello from a member']);
  await expect(handedOff.getByRole('textbox', { name: 'Message' })).toBeEditable();
  expect(handedOff.url()).not.toContain('handoff');
  await phone.close();

  // The same link in a third browser: refused, saying what to do; that browser stays a stranger.
  const third = await browser.newContext();
  const late = await third.newPage();
  await late.goto(url);
  // The page's own alert (Next keeps an empty one of its own for route announcements).
  const refusal = late.getByRole('alert').filter({ hasText: 'already used' });
  await expect(refusal).toBeVisible();
  await expect(refusal).toContainText(LOST_ACCESS_HINT);
  expect(late.url()).not.toContain('#');
  await late.goto(`${ORIGIN}/`);
  await expectPrivatePage(late);

  // The first browser is still a stranger.
  await page.reload();
  await expectPrivatePage(page);

  // A member invites from the app (workspace.json lets members invite); the third browser gets in with it.
  await member.getByRole('button', { name: 'Invite someone' }).click();
  const dialog = member.getByRole('dialog', { name: 'Invite someone' });
  await dialog.getByRole('textbox', { name: 'Who it is for (optional)' }).fill('Third browser');
  await dialog.getByRole('button', { name: 'Make invite link' }).click();
  const field = dialog.getByRole('textbox', { name: 'Invite link' });
  await expect(field).toHaveValue(new RegExp(`^${ORIGIN}/join#[\\w-]{43}$`));
  await late.goto(await field.inputValue());
  await expect(late).toHaveURL(`${ORIGIN}/`);
  await expect(late.getByRole('textbox', { name: 'Message' })).toBeEditable();

  await second.close();
  await third.close();
});
